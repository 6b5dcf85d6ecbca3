// The training run shared by the `full` and `lora` trainers: checks that a resumed run has the same settings, then
// sets up bucketed batches, AdamW with cosine warmup and clipping and gradient accumulation on a TrainEngine, and
// hands over to TrainingLoop (training-loop.ts: steps, evaluation, checkpoints, divergence, cancellation).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainerContext, TrainJob, TrainReport } from '../recipe/trainer.js';
import { canonicalJson, sha256 } from '../pipeline/hash.js';
import { writeJsonAtomic } from '../io/atomic-write.js';
import { WorkError } from '../errors.js';
import { AdamW } from '../tensor/optim/adamw.js';
import { noDecayOnNormsAndBiases } from '../tensor/optim/optimizer.js';
import { cosineSchedule } from '../tensor/optim/schedule.js';
import { BatchStream, groupByBucket, planBuckets, sequentialBatches } from './buckets.js';
import { initLoraParams, loraView, type LoraSpec } from './lora.js';
import { TrainEngine } from './train-engine.js';
import { fullTrainerSchema, loraTrainerSchema, parseTrainOptions, type TrainOptions } from './train-options.js';
import { encodeExamples, lengthWarnings, loadBaseModel, makeObjective, oneClassWarning, type BaseModel } from './training-setup.js';
import { TrainingLoop, type RunSetup } from './training-loop.js';

export { stepNoise } from './training-loop.js';

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
  const setup = await prepareRun(kind, job, ctx, options, seed);
  try {
    await mkdir(outDir, { recursive: true });
    if (!prev) await writeJsonAtomic(join(outDir, 'run.json'), identity);
    return await new TrainingLoop(setup).run();
  } finally {
    setup.engine.dispose();
  }
}

// The examples encoded under the objective, with the warnings about them (logged); throws when none is left.
function prepareData(job: TrainJob, ctx: TrainerContext, options: TrainOptions, base: BaseModel): Pick<RunSetup, 'objective' | 'train' | 'evalSet' | 'warnings'> {
  const objective = makeObjective(options, base.tokenizer, job.train);
  const train = encodeExamples(objective, job.train);
  const evalSet = job.evalSet && job.evalSet.length > 0 ? encodeExamples(objective, job.evalSet) : undefined;
  const warnings = [
    ...[job.labelsChecked ? undefined : oneClassWarning(objective, job.train, options.labelPattern)].filter((w): w is string => w !== undefined),
    ...lengthWarnings(train, 'training', options.maxLength), ...(evalSet ? lengthWarnings(evalSet, 'eval', options.maxLength) : []),
  ];
  for (const w of warnings) ctx.progress.log(`warning: ${w}`);
  if (train.items.length === 0) throw new WorkError(`trainer: no training example is left after the length rule (${job.train.length} given, maxLength ${options.maxLength})`);
  return { objective, train, evalSet, warnings };
}

// Loads the base model and data, plans the batches and the schedule, and uploads the parameters to a TrainEngine.
async function prepareRun(kind: 'full' | 'lora', job: TrainJob, ctx: TrainerContext, options: TrainOptions, seed: number): Promise<RunSetup> {
  const backend = await ctx.backend();
  const base = await loadBaseModel(job.modelPath);
  const { objective, train, evalSet, warnings } = prepareData(job, ctx, options, base);
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
  return {
    kind, job, ctx, options, seed, base, config, lora, objective, train, evalSet, warnings,
    batchSize: B, accum, stream, evalBatches, total, trainable, shapes, engine,
  };
}
