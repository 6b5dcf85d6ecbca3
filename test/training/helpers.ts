// Shared by the training tests: a CPU backend, a TrainerContext that records progress, tiny scratch checkpoints in
// temp folders, and the small tasks (single-digit addition, a half-alphabet label rule, preference pairs).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBackend } from '../../backends/cpu/index.js';
import type { ProgressUpdate } from '../../core/pipeline/task-context.js';
import type { PairExample, SftExample, TrainerContext } from '../../core/recipe/trainer.js';
import { Rng } from '../../core/tensor/rng.js';
import { initScratchCheckpoint, type ScratchModelSpec } from '../../core/training/scratch-checkpoint.js';

let backend: CpuBackend | undefined;

/** One initialized CPU backend per test process. */
export async function cpu(): Promise<CpuBackend> {
  if (!backend) {
    backend = new CpuBackend();
    await backend.init();
  }
  return backend;
}

/** A context whose progress updates and log lines are kept; `onUpdate` may throw (a crash) or abort. */
export interface RecordingContext extends TrainerContext {
  /** Every update. */
  updates: ProgressUpdate[];
  /** Every log line. */
  logs: string[];
  /** The controller behind `signal`. */
  abort: AbortController;
}

export async function context(seed = 1, onUpdate?: (u: ProgressUpdate, ctx: RecordingContext) => void): Promise<RecordingContext> {
  const be = await cpu();
  const abort = new AbortController();
  const ctx: RecordingContext = {
    signal: abort.signal, seed, updates: [], logs: [], abort,
    progress: { update: (u) => { ctx.updates.push(u); onUpdate?.(u, ctx); }, log: (m) => { ctx.logs.push(m); } },
    backend: async () => be,
  };
  return ctx;
}

/** A fresh temp folder; remove it with `cleanup`. */
export async function tempDir(tag: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `gramr-training-${tag}-`));
}

export async function cleanup(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** The tiny model every test trains: hidden 32, 1 layer, 2 heads, byte vocabulary. */
export const TINY: ScratchModelSpec = { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 64 };

/** Writes a tiny scratch checkpoint into `dir/base` and returns its path. */
export async function tinyBase(dir: string, seed = 1, spec: Partial<ScratchModelSpec> = {}): Promise<string> {
  const path = join(dir, 'base');
  await initScratchCheckpoint(path, { ...TINY, ...spec }, seed);
  return path;
}

/** Single-digit addition "x+y=" -> "x+y", split into 80 training and 20 held-out examples. */
export function additionTask(): { train: SftExample[]; held: SftExample[] } {
  const all: SftExample[] = [];
  for (let x = 0; x < 10; x++) for (let y = 0; y < 10; y++) all.push({ id: `${x}+${y}`, prompt: `${x}+${y}=`, target: String(x + y) });
  return { train: all.filter((_, i) => (i * 37) % 100 >= 20), held: all.filter((_, i) => (i * 37) % 100 < 20) };
}

const word = (rng: Rng, firstHalf: boolean): string =>
  Array.from({ length: 4 }, () => String.fromCharCode(97 + (firstHalf ? 0 : 13) + rng.int(13))).join('');

/** Label rule: a word of letters a–m is labelled "A", one of n–z "B". */
export function labelTask(n: number, seed: number): SftExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const a = rng.int(2) === 0;
    return { id: `w${seed}-${i}`, prompt: `${word(rng, a)}\nlabel: `, target: a ? 'A' : 'B' };
  });
}

/** Preference rule: the chosen response is a word of letters a–m, the rejected one of n–z. */
export function pairTask(n: number, seed: number): PairExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({ id: `p${seed}-${i}`, prompt: 'pick: ', chosen: word(rng, true), rejected: word(rng, false) }));
}

/** Bytes of a file (for bit-identical comparisons). */
export async function bytes(path: string): Promise<Buffer> {
  return readFile(path);
}
