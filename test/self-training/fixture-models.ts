// Shared helpers of the self-training tests: where the trained fixture models live, the scratch spec they were
// trained from (the `backbone` of retrain: backbone), tiny verifiable-math splits, temp folders and a CPU context.
// Not a test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CpuBackend } from '../../backends/cpu/index.js';
import type { PreferencePair, RationaleExample } from '../../core/data/records.js';
import { silentProgress, type ProgressSink } from '../../core/pipeline/task-context.js';
import type { TrainerContext } from '../../core/recipe/trainer.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { judgeForModel } from '../../plugins/grm/judge-for-model.js';
import { generateSplit, verifiableMathOptionsSchema } from '../../plugins/verifiable-math/index.js';
import { ModelJudgeOpener } from '../../core/reward/judge-opener.js';

/** Folder of the trained fixture models (grm/, prover/), relative to the repo root. */
export const FIXTURE_DIR = path.resolve(process.cwd(), 'test/fixtures/self-training');

/** The scratch model both fixtures were trained from (seed 0): the backbone of `retrain: backbone`. */
export const FIXTURE_SCRATCH = { hiddenSize: 32, layers: 2, heads: 2, intermediate: 64, maxPositions: 320 };

/** The verifiable-math settings of every split the tests use: 1-step problems, three error types. */
export const FIXTURE_DATA = { difficulty: { maxSteps: 1 }, errorTypes: ['slipped-digit', 'wrong-operation', 'carry-error'] };

/** `count` verifiable-math records of `split` (1-step problems). */
export function vmathPairs(split: string, count: number, seed = 0): PreferencePair[] {
  return [...generateSplit(verifiableMathOptionsSchema.parse({ split, count, seed, ...FIXTURE_DATA }))] as PreferencePair[];
}

/** `count` seed rationale examples (1-step problems). */
export function vmathSeed(count: number, seed = 0): RationaleExample[] {
  return vmathPairs('seed', count, seed) as RationaleExample[];
}

let cpu: CpuBackend | undefined;

/** An initialized backend: the shared CPU one, or another by name (for the fixture script). */
export async function createBackend(name = 'cpu'): Promise<ComputeBackend> {
  if (name === 'cpu') {
    if (!cpu) { cpu = new CpuBackend(); await cpu.init(); }
    return cpu;
  }
  const mod = (await import('../../backends/onnx/index.js')) as unknown as { OnnxBackend: new () => ComputeBackend & { init(): Promise<void> } };
  const b = new mod.OnnxBackend();
  await b.init();
  return b;
}

/** A trainer context on the CPU backend. */
export function cpuContext(seed = 0, signal: AbortSignal = new AbortController().signal, progress: ProgressSink = silentProgress): TrainerContext {
  return { signal, progress, seed, backend: () => createBackend('cpu') };
}

/** A fresh temp folder removed at teardown. */
export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'gramr-st-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What a GRM answered on labeled pairs, counted here from its own judgments. */
export interface Counted {
  /** Pairs judged. */
  total: number;
  /** Judgments with a label. */
  answered: number;
  /** Judgments whose label is the pair's gold label. */
  correct: number;
}

/**
 * Judges `pairs` once each, as given (a shown first), greedily with the GRM at `modelPath`, and counts the labels
 * that equal the gold ones: an accuracy computed without any Evaluator (no answer counts as wrong).
 */
export async function countCorrect(modelPath: string, pairs: readonly PreferencePair[], maxTokens = 96): Promise<Counted> {
  const judge = await judgeForModel(new ModelJudgeOpener(), modelPath, await createBackend(), { maxTokens });
  try {
    const outcomes = await judge(pairs.map((p) => ({ prompt: p.prompt, a: p.a, b: p.b, id: p.id, order: 'original' })), cpuContext());
    return {
      total: pairs.length,
      answered: outcomes.filter((o) => o.label !== undefined).length,
      correct: outcomes.filter((o, i) => o.label !== undefined && o.label === pairs[i]!.label).length,
    };
  } finally {
    judge.dispose();
  }
}
