// The training loop shared by the `full` and `lora` trainers: bucketed batches, AdamW with cosine warmup and
// clipping, gradient accumulation, evaluation every N steps with early stopping, resumable checkpoints (params +
// optimizer state + step + data position) written atomically, divergence detection, progress and cancellation.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvalPoint, TrainerContext, TrainJob, TrainReport } from '../recipe/trainer.js';
import { canonicalJson, sha256 } from '../pipeline/hash.js';
import { writeJsonAtomic } from '../io/atomic-write.js';
import { WorkError } from '../errors.js';
import { AdamW } from '../tensor/optim/adamw.js';
import { noDecayOnNormsAndBiases } from '../tensor/optim/optimizer.js';
import { cosineSchedule } from '../tensor/optim/schedule.js';
import { Rng } from '../tensor/rng.js';
import { BatchStream, groupByBucket, planBuckets, sequentialBatches, type MicroBatch } from './buckets.js';
import { loadLatestCheckpoint, saveCheckpoint, type NamedArrays, type TrainingState } from './checkpoint-store.js';
import { tokenizerFingerprint } from './fingerprint.js';
import { initLoraParams, loraView, type LoraSpec } from './lora.js';
import type { EncodedExample, Objective } from './objectives.js';
import { TrainEngine, type MicroBatchData } from './train-engine.js';
import { fullTrainerSchema, loraTrainerSchema, parseTrainOptions, type TrainOptions } from './train-options.js';
import { encodeExamples, lengthWarnings, loadBaseModel, makeObjective, oneClassWarning } from './training-setup.js';
import { writeTrainingResult } from './training-output.js';
import { checkedBaseSha256, modelDtype } from './adapter-checkpoint.js';

/** Default peak learning rates by trainer kind. */
export const DEFAULT_LR = { full: 1e-4, lora: 2e-4 } as const;

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  return readFile(path, 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined);
}

// Options that change the trajectory; checkpointEvery, merge and the written dtype do not.
function runIdentity(kind: string, job: TrainJob, options: TrainOptions, seed: number): Record<string, unknown> {
  const { checkpointEvery: _c, merge: _m, dtype: _d, ...rest } = options;
  return { kind, modelPath: job.modelPath, seed, options: rest, data: sha256(canonicalJson([job.train, job.evalSet ?? null])) };
}

function checkSameRun(prev: Record<string, unknown>, now: Record<string, unknown>, outDir: string): void {
  if (canonicalJson(prev) === canonicalJson(now)) return;
  const diffs: string[] = [];
  for (const k of ['kind', 'modelPath', 'seed', 'data']) if (canonicalJson(prev[k]) !== canonicalJson(now[k])) diffs.push(k === 'data' ? 'the training/eval examples' : `${k} (${JSON.stringify(prev[k])} -> ${JSON.stringify(now[k])})`);
  const po = (prev.options ?? {}) as Record<string, unknown>, no = now.options as Record<string, unknown>;
  for (const k of new Set([...Object.keys(po), ...Object.keys(no)])) if (canonicalJson(po[k]) !== canonicalJson(no[k])) diffs.push(`options.${k} (${JSON.stringify(po[k])} -> ${JSON.stringify(no[k])})`);
  throw new WorkError(`${outDir} holds a training run with different settings: ${diffs.join(', ')}; resuming needs the same settings (use a new outDir to start over)`);
}

const named = (values: Readonly<Record<string, Float32Array>>, shapes: Readonly<Record<string, number[]>>): NamedArrays =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { shape: shapes[k.split(':')[0]!]!, data: v }]));

/** The dropout noise of step `step` (a pure function of seed and step, so resume reproduces it). */
export function stepNoise(seed: number, step: number): number {
  return new Rng(seed).fork(0x4e015e + step).uniform(0, 1000);
}

/**
 * Runs (or resumes) one training job of kind `full` or `lora`; `job.options` is parsed with the kind's schema
 * (a ConfigError names the bad field). Returns the saved report at once when `job.outDir` holds a finished run.
 */
export async function runTraining(kind: 'full' | 'lora', job: TrainJob, ctx: TrainerContext): Promise<TrainReport> {
  const options: TrainOptions = kind === 'full' ? parseTrainOptions('full', fullTrainerSchema, job.options) : parseTrainOptions('lora', loraTrainerSchema, job.options);
  const { outDir } = job;
  const seed = options.seed ?? ctx.seed;
  const identity = runIdentity(kind, job, options, seed);
  const prev = await readJson(join(outDir, 'run.json'));
  if (prev) checkSameRun(prev, identity, outDir);
  const done = prev ? await readJson(join(outDir, 'report.json')) : undefined;
  if (done) return done as unknown as TrainReport;

  const backend = await ctx.backend();
  const base = await loadBaseModel(job.modelPath);
  const objective = makeObjective(options, base.tokenizer, job.train);
  const train = encodeExamples(objective, job.train);
  const evalSet = job.evalSet && job.evalSet.length > 0 ? encodeExamples(objective, job.evalSet) : undefined;
  const warnings = [
    ...[job.labelsChecked ? undefined : oneClassWarning(objective, job.train, options.labelPattern)].filter((w): w is string => w !== undefined),
    ...lengthWarnings(train, 'training', options.maxLength), ...(evalSet ? lengthWarnings(evalSet, 'eval', options.maxLength) : []),
  ];
  for (const w of warnings) ctx.progress.log(`warning: ${w}`);
  if (train.items.length === 0) throw new WorkError(`trainer: no training example is left after the length rule (${job.train.length} given, maxLength ${options.maxLength})`);

  const B = options.batchSize, accum = options.gradAccum;
  const buckets = planBuckets([...train.items, ...(evalSet?.items ?? [])].map((e) => e.length), options.buckets, options.maxLength);
  const stream = new BatchStream(groupByBucket(train.items.map((e) => e.length), buckets), B, seed);
  const evalBatches = evalSet && evalSet.items.length > 0 ? sequentialBatches(groupByBucket(evalSet.items.map((e) => e.length), buckets), B) : [];
  const total = options.steps ?? Math.max(1, Math.ceil((options.epochs * stream.perEpoch) / accum));
  const warmup = options.warmup < 1 ? Math.round(options.warmup * total) : Math.min(Math.round(options.warmup), total);
  const lr = options.lr ?? DEFAULT_LR[kind];

  const config = base.config;
  const head = objective.extraParams(config);
  const lora: LoraSpec | undefined = kind === 'lora'
    ? { r: options.r ?? 8, alpha: options.alpha ?? 16, dropout: options.dropout ?? 0, targets: options.targets ?? [] } : undefined;
  const trainable = lora ? { ...initLoraParams(config, lora, seed), ...head } : { ...base.params, ...head };
  const shapes: Record<string, number[]> = Object.fromEntries(Object.entries(trainable).map(([k, v]) => [k, v.shape]));
  const engine = new TrainEngine({
    backend, trainable, frozen: lora ? base.params : {},
    optimizer: new AdamW({ beta2: options.beta2, weightDecay: options.weightDecay, groups: noDecayOnNormsAndBiases() }),
    lr: cosineSchedule({ baseLr: lr, warmupSteps: warmup, totalSteps: total, minLr: lr * options.minLrRatio }),
    clipNorm: options.clip > 0 ? options.clip : undefined, accumulationSteps: accum,
    loss: (p, b, noise) => objective.loss(config, lora ? loraView(config, lora, p, noise) : p, b),
    probe: objective.spec(1, buckets[0]!),
  });
  try {
    await mkdir(outDir, { recursive: true });
    if (!prev) await writeJsonAtomic(join(outDir, 'run.json'), identity);
    return await loop();
  } finally {
    engine.dispose();
  }

  async function loop(): Promise<TrainReport> {
    let st: TrainingState = { format: 1, step: 0, microBatches: 0, seed, tokens: 0, lastLoss: NaN, evals: [], badEvals: 0 };
    const latest = await loadLatestCheckpoint(outDir, 'step');
    const resumedFrom = latest?.state.step;
    if (latest) {
      engine.load(latest.weights, latest.optimizer, latest.state.step);
      st = latest.state;
      ctx.progress.log(`resumed from step ${st.step} (${latest.dir})`);
    }
    // what the newest checkpoint holds: step and evaluations (a final evaluation changes the state, not the step)
    const key = (): string => `${st.step}:${st.evals.length}`;
    let savedAs = latest ? key() : '';
    const save = async (): Promise<void> => {
      if (savedAs === key()) return;
      await saveCheckpoint(outDir, 'step', st, named(await engine.readTrainable(), shapes), named(await engine.readState(), shapes));
      savedAs = key();
    };
    const specs = new Map<number, ReturnType<Objective['spec']>>();
    const micro = (mb: MicroBatch, items: readonly EncodedExample[]): MicroBatchData => {
      if (!specs.has(mb.length)) specs.set(mb.length, objective.spec(B, mb.length));
      return { key: `${B}x${mb.length}`, spec: specs.get(mb.length)!, data: objective.fill(mb.items.map((i) => items[i]!), B, mb.length) };
    };
    const evaluate = async (): Promise<boolean> => {
      let sum = 0, count = 0, correct = 0;
      for (const mb of evalBatches) {
        const r = await engine.evaluate(micro(mb, evalSet!.items));
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
        if (options.restoreBest) await saveCheckpoint(outDir, 'best', st, named(await engine.readTrainable(), shapes), {});
      } else st.badEvals++;
      return options.patience > 0 && st.badEvals >= options.patience;
    };

    let stop: TrainReport['stopReason'] = 'done', divergedAt: number | undefined;
    const started = performance.now();
    let tokensHere = 0, stepsHere = 0;
    while (st.step < total) {
      if (ctx.signal.aborted) {
        await save();
        ctx.progress.log(`cancelled at step ${st.step}; checkpoint saved`);
        throw ctx.signal.reason;
      }
      const batches = Array.from({ length: accum }, (_, k) => stream.at(st.microBatches + k));
      const tokens = batches.reduce((a, mb) => a + mb.items.reduce((s, i) => s + train.items[i]!.rows.reduce((x, r) => x + r.length, 0), 0), 0);
      const r = await engine.step(batches.map((mb) => micro(mb, train.items)), stepNoise(seed, st.step));
      if (!r.finite) {
        stop = 'diverged';
        divergedAt = st.step + 1;
        ctx.progress.log(`diverged at step ${divergedAt}: loss ${r.loss}, gradient norm ${r.gradNorm} (not applied); keeping the last good checkpoint`);
        break;
      }
      st.step++;
      st.microBatches += accum;
      st.tokens += tokens;
      st.lastLoss = r.loss;
      tokensHere += tokens;
      stepsHere++;
      const elapsed = (performance.now() - started) / 1000;
      ctx.progress.update({
        done: st.step, total, unit: 'steps',
        metrics: { loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, tokensPerSecond: tokensHere / Math.max(elapsed, 1e-6), etaSeconds: ((total - st.step) * elapsed) / stepsHere },
      });
      if (evalBatches.length > 0 && options.evalEvery > 0 && st.step % options.evalEvery === 0 && (await evaluate())) {
        stop = 'early-stop';
        ctx.progress.log(`early stop at step ${st.step}: no eval improvement in ${options.patience} evaluation(s); best ${st.bestEvalLoss} at step ${st.bestStep}`);
        break;
      }
      if (st.step % options.checkpointEvery === 0) await save();
    }
    if (stop === 'done' && evalBatches.length > 0 && st.evals[st.evals.length - 1]?.step !== st.step) await evaluate();
    if (stop !== 'diverged') await save();

    const best = options.restoreBest && st.bestStep !== undefined ? await loadLatestCheckpoint(outDir, 'best') : undefined;
    const lastGood = stop === 'diverged' ? await loadLatestCheckpoint(outDir, 'step') : undefined;
    const initial = Object.fromEntries(Object.entries(trainable).map(([k, v]) => [k, v.data]));
    const trained = best?.weights ?? (stop === 'diverged' ? lastGood?.weights ?? initial : { ...initial, ...(await engine.readTrainable()) });
    const result = await writeTrainingResult({
      outDir, config, tokenizer: base.tokenizer, base: base.params, trained, template: options.template,
      dtype: options.dtype ?? await modelDtype(job.modelPath),
      lora: lora && {
        spec: lora, baseModelSha256: await checkedBaseSha256(job.modelPath), tokenizerFingerprint: tokenizerFingerprint(base.tokenizer),
        baseModelPath: job.modelPath, merge: options.merge ?? false,
      },
      info: { trainer: kind, ...objective.describe(), steps: st.step, stopReason: stop, bestStep: best ? st.bestStep : undefined, seed },
    });
    const report: TrainReport = {
      steps: st.step, finalLoss: st.lastLoss, evals: st.evals,
      tokensPerSecond: tokensHere / Math.max((performance.now() - started) / 1000, 1e-6), stopReason: stop, checkpoint: result.checkpoint,
      truncated: { shortened: train.shortened + (evalSet?.shortened ?? 0), dropped: train.dropped.length + (evalSet?.dropped.length ?? 0) },
      warnings,
    };
    if (st.bestEvalLoss !== undefined) { report.bestEvalLoss = st.bestEvalLoss; report.bestStep = st.bestStep!; }
    if (divergedAt !== undefined) report.divergedAtStep = divergedAt;
    if (result.merged !== undefined) report.mergedCheckpoint = result.merged;
    if (resumedFrom !== undefined) report.resumedFromStep = resumedFrom;
    await writeJsonAtomic(join(outDir, 'report.json'), report);
    return report;
  }
}
