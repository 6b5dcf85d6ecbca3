// Shared helpers of the recipe tests: a CPU trainer context, temp folders, scratch checkpoints, tiny training runs
// with the `full` trainer, and verifiable-math data. Not a test file (ava runs *.test.js only).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CpuBackend } from '../../backends/cpu/index.js';
import type { DataRecord } from '../../core/data/records.js';
import type { SftExample, TrainerContext, TrainExample, TrainReport } from '../../core/recipe/trainer.js';
import { silentProgress, type ProgressSink } from '../../core/pipeline/task-context.js';
import { initScratchCheckpoint } from '../../core/training/scratch-checkpoint.js';
import { FullTrainer } from '../../plugins/trainers/index.js';
import { generateSplit, verifiableMathOptionsSchema, type VerifiableMathInput } from '../../plugins/verifiable-math/index.js';

let shared: CpuBackend | undefined;

/** One initialized CPU backend per test process. */
export async function cpuBackend(): Promise<CpuBackend> {
  if (!shared) { shared = new CpuBackend(); await shared.init(); }
  return shared;
}

/** A trainer context on the CPU backend. */
export function trainerContext(seed = 0, progress: ProgressSink = silentProgress, signal: AbortSignal = new AbortController().signal): TrainerContext {
  return { signal, progress, seed, backend: cpuBackend };
}

/** A fresh temp folder, removed when `t.teardown` runs. */
export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'gramr-recipe-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Sizes of the tiny models the tests train. */
export const TINY = { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 128 };

/** Writes a seeded scratch model (byte tokenizer) into `dir`. */
export async function scratchModel(dir: string, spec: Partial<typeof TINY> = {}, seed = 1): Promise<string> {
  await initScratchCheckpoint(dir, { ...TINY, ...spec }, seed);
  return dir;
}

/** Trains `modelPath` with the `full` trainer into `outDir`. */
export async function trainFull(modelPath: string, train: readonly TrainExample[], outDir: string, options: Record<string, unknown>,
  ctx = trainerContext()): Promise<TrainReport> {
  return new FullTrainer().train({ modelPath, train, outDir, options }, ctx);
}

/** Verifiable-math records of a split (defaults applied). */
export function vmath(options: VerifiableMathInput): DataRecord[] {
  return [...generateSplit(verifiableMathOptionsSchema.parse(options))] as DataRecord[];
}

/** `n` copies of an example list, ids made unique. */
export function repeat(examples: readonly SftExample[], n: number): SftExample[] {
  return Array.from({ length: n }, (_, i) => examples.map((e) => ({ ...e, id: `${e.id}#${i}` }))).flat();
}
