// The steps of one training run once everything is set up (run-training.ts): resume from the newest checkpoint,
// step with gradient accumulation, evaluate every N steps with early stopping, save checkpoints, stop on
// divergence or cancellation, then write the trained model and the report.
import { join } from 'node:path';
import type { EvalPoint, TrainerContext, TrainJob, TrainReport } from '../recipe/trainer.js';
import { writeJsonAtomic } from '../io/atomic-write.js';
import type { ModelConfig } from '../model/checkpoint/model-config.js';
import { Rng } from '../tensor/rng.js';
import type { BatchStream, MicroBatch } from './buckets.js';
import { loadLatestCheckpoint, saveCheckpoint, type NamedArrays, type TrainingState } from './checkpoint-store.js';
import { tokenizerFingerprint } from './fingerprint.js';
import type { LoraSpec } from './lora.js';
import type { EncodedExample, Objective } from './objectives.js';
import type { EngineParam, EngineStep, MicroBatchData, TrainEngine } from './train-engine.js';
import type { TrainOptions } from './train-options.js';
import type { BaseModel, EncodedSet } from './training-setup.js';
import { writeTrainingResult } from './training-output.js';
import { checkedBaseSha256, modelDtype } from './adapter-checkpoint.js';

/** Everything a run's loop needs, fixed before its first step. */
export interface RunSetup {
  /** Trainer kind. */
  kind: 'full' | 'lora';
  /** The job (model path, output folder). */
  job: TrainJob;
  /** Progress, cancellation. */
  ctx: TrainerContext;
  /** Parsed trainer options. */
  options: TrainOptions;
  /** The run's seed. */
  seed: number;
  /** The base model. */
  base: BaseModel;
  /** Its config. */
  config: ModelConfig;
  /** The LoRA spec of a `lora` run. */
  lora: LoraSpec | undefined;
  /** The training objective. */
  objective: Objective;
  /** Encoded training examples. */
  train: EncodedSet;
  /** Encoded eval examples, if any. */
  evalSet: EncodedSet | undefined;
  /** Warnings already logged, repeated in the report. */
  warnings: string[];
  /** Micro-batch size. */
  batchSize: number;
  /** Micro-batches per update. */
  accum: number;
  /** Training micro-batches by stream position. */
  stream: BatchStream;
  /** Eval micro-batches, in order. */
  evalBatches: MicroBatch[];
  /** Updates to make. */
  total: number;
  /** Initial trainable parameters (the result of a run that diverged before its first checkpoint). */
  trainable: Record<string, EngineParam>;
  /** Shapes of the trainable parameters by name. */
  shapes: Record<string, number[]>;
  /** The device-side state. */
  engine: TrainEngine;
}

const named = (values: Readonly<Record<string, Float32Array>>, shapes: Readonly<Record<string, number[]>>): NamedArrays =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { shape: shapes[k.split(':')[0]!]!, data: v }]));

/** The dropout noise of step `step` (a pure function of seed and step, so resume reproduces it). */
export function stepNoise(seed: number, step: number): number {
  return new Rng(seed).fork(0x4e015e + step).uniform(0, 1000);
}

/** How the steps ended. */
interface StepsEnd { stop: TrainReport['stopReason']; divergedAt?: number }

/** One run's loop (see the file header). */
export class TrainingLoop {
  private st: TrainingState;
  // what the newest checkpoint holds: step and evaluations (a final evaluation changes the state, not the step)
  private savedAs = '';
  private readonly specs = new Map<number, ReturnType<Objective['spec']>>();
  private started = 0;
  private tokensHere = 0;
  private stepsHere = 0;

  constructor(private readonly r: RunSetup) {
    this.st = { format: 1, step: 0, microBatches: 0, seed: r.seed, tokens: 0, lastLoss: NaN, evals: [], badEvals: 0 };
  }

  /** Resumes, steps to the end (or a stop), evaluates and saves; writes and returns the report. */
  async run(): Promise<TrainReport> {
    const latest = await loadLatestCheckpoint(this.r.job.outDir, 'step');
    const resumedFrom = latest?.state.step;
    if (latest) {
      this.r.engine.load(latest.weights, latest.optimizer, latest.state.step);
      this.st = latest.state;
      this.r.ctx.progress.log(`resumed from step ${this.st.step} (${latest.dir})`);
      this.savedAs = this.key();
    }
    this.started = performance.now();
    const end = await this.steps();
    const { st } = this;
    if (end.stop === 'done' && this.r.evalBatches.length > 0 && st.evals[st.evals.length - 1]?.step !== st.step) await this.evaluate();
    if (end.stop !== 'diverged') await this.save();
    return this.finish(end, resumedFrom);
  }

  private key(): string { return `${this.st.step}:${this.st.evals.length}`; }

  private async save(): Promise<void> {
    if (this.savedAs === this.key()) return;
    const { engine, shapes, job } = this.r;
    await saveCheckpoint(job.outDir, 'step', this.st, named(await engine.readTrainable(), shapes), named(await engine.readState(), shapes));
    this.savedAs = this.key();
  }

  private micro(mb: MicroBatch, items: readonly EncodedExample[]): MicroBatchData {
    const { objective, batchSize: B } = this.r;
    if (!this.specs.has(mb.length)) this.specs.set(mb.length, objective.spec(B, mb.length));
    return { key: `${B}x${mb.length}`, spec: this.specs.get(mb.length)!, data: objective.fill(mb.items.map((i) => items[i]!), B, mb.length) };
  }

  // Evaluates the eval set, records the point and the best checkpoint; true when patience has run out.
  private async evaluate(): Promise<boolean> {
    const { engine, evalBatches, evalSet, objective, options, ctx, shapes, job } = this.r;
    const { st } = this;
    let sum = 0, count = 0, correct = 0;
    for (const mb of evalBatches) {
      const r = await engine.evaluate(this.micro(mb, evalSet!.items));
      sum += r.sum; count += r.count; correct += r.correct;
    }
    const point: EvalPoint = { step: st.step, loss: sum / Math.max(count, 1) };
    if (objective.name !== 'sft') point.accuracy = correct / Math.max(count, 1);
    st.evals.push(point);
    const improved = st.bestEvalLoss === undefined || point.loss < st.bestEvalLoss - options.minDelta;
    ctx.progress.log(`eval at step ${st.step}: loss ${point.loss.toFixed(4)}${point.accuracy !== undefined ? `, accuracy ${point.accuracy.toFixed(3)}` : ''}${improved ? ' (best so far)' : ''}`);
    if (improved) {
      st.bestEvalLoss = point.loss;
      st.bestStep = st.step;
      st.badEvals = 0;
      if (options.restoreBest) await saveCheckpoint(job.outDir, 'best', st, named(await engine.readTrainable(), shapes), {});
    } else st.badEvals++;
    return options.patience > 0 && st.badEvals >= options.patience;
  }

  // Steps until the total, a divergence or an early stop; a cancellation saves and throws.
  private async steps(): Promise<StepsEnd> {
    const { ctx, options, evalBatches, total } = this.r;
    const { st } = this;
    while (st.step < total) {
      if (ctx.signal.aborted) {
        await this.save();
        ctx.progress.log(`cancelled at step ${st.step}; checkpoint saved`);
        throw ctx.signal.reason;
      }
      const r = await this.step();
      if (!r.finite) {
        const divergedAt = st.step + 1;
        ctx.progress.log(`diverged at step ${divergedAt}: loss ${r.loss}, gradient norm ${r.gradNorm} (not applied); keeping the last good checkpoint`);
        return { stop: 'diverged', divergedAt };
      }
      if (evalBatches.length > 0 && options.evalEvery > 0 && st.step % options.evalEvery === 0 && (await this.evaluate())) {
        ctx.progress.log(`early stop at step ${st.step}: no eval improvement in ${options.patience} evaluation(s); best ${st.bestEvalLoss} at step ${st.bestStep}`);
        return { stop: 'early-stop' };
      }
      if (st.step % options.checkpointEvery === 0) await this.save();
    }
    return { stop: 'done' };
  }

  // One update from the next `accum` micro-batches; advances the state and the progress when it was applied.
  private async step(): Promise<EngineStep> {
    const { accum, stream, train, engine, seed, total, ctx } = this.r;
    const { st } = this;
    const batches = Array.from({ length: accum }, (_, k) => stream.at(st.microBatches + k));
    const tokens = batches.reduce((a, mb) => a + mb.items.reduce((s, i) => s + train.items[i]!.rows.reduce((x, r) => x + r.length, 0), 0), 0);
    const r = await engine.step(batches.map((mb) => this.micro(mb, train.items)), stepNoise(seed, st.step));
    if (!r.finite) return r;
    st.step++;
    st.microBatches += accum;
    st.tokens += tokens;
    st.lastLoss = r.loss;
    this.tokensHere += tokens;
    this.stepsHere++;
    const elapsed = (performance.now() - this.started) / 1000;
    ctx.progress.update({
      done: st.step, total, unit: 'steps',
      metrics: { loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, tokensPerSecond: this.tokensHere / Math.max(elapsed, 1e-6), etaSeconds: ((total - st.step) * elapsed) / this.stepsHere },
    });
    return r;
  }

  // Writes the trained model (the best, the last good one after a divergence, or the current weights) and the report.
  private async finish({ stop, divergedAt }: StepsEnd, resumedFrom: number | undefined): Promise<TrainReport> {
    const { options, job, engine, trainable, config, base, lora, kind, objective, seed, train, evalSet, warnings } = this.r;
    const { st } = this;
    const best = options.restoreBest && st.bestStep !== undefined ? await loadLatestCheckpoint(job.outDir, 'best') : undefined;
    const lastGood = stop === 'diverged' ? await loadLatestCheckpoint(job.outDir, 'step') : undefined;
    const initial = Object.fromEntries(Object.entries(trainable).map(([k, v]) => [k, v.data]));
    const trained = best?.weights ?? (stop === 'diverged' ? lastGood?.weights ?? initial : { ...initial, ...(await engine.readTrainable()) });
    const result = await writeTrainingResult({
      outDir: job.outDir, config, tokenizer: base.tokenizer, base: base.params, trained, template: options.template,
      dtype: options.dtype ?? await modelDtype(job.modelPath),
      lora: lora && {
        spec: lora, baseModelSha256: await checkedBaseSha256(job.modelPath), tokenizerFingerprint: tokenizerFingerprint(base.tokenizer),
        baseModelPath: job.modelPath, merge: options.merge ?? false,
      },
      info: { trainer: kind, ...objective.describe(), steps: st.step, stopReason: stop, bestStep: best ? st.bestStep : undefined, seed },
    });
    const report: TrainReport = {
      steps: st.step, finalLoss: st.lastLoss, evals: st.evals,
      tokensPerSecond: this.tokensHere / Math.max((performance.now() - this.started) / 1000, 1e-6), stopReason: stop, checkpoint: result.checkpoint,
      truncated: { shortened: train.shortened + (evalSet?.shortened ?? 0), dropped: train.dropped.length + (evalSet?.dropped.length ?? 0) },
      warnings,
    };
    if (st.bestEvalLoss !== undefined) { report.bestEvalLoss = st.bestEvalLoss; report.bestStep = st.bestStep!; }
    if (divergedAt !== undefined) report.divergedAtStep = divergedAt;
    if (result.merged !== undefined) report.mergedCheckpoint = result.merged;
    if (resumedFrom !== undefined) report.resumedFromStep = resumedFrom;
    await writeJsonAtomic(join(job.outDir, 'report.json'), report);
    return report;
  }
}
