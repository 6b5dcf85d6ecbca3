// Resumable training checkpoints in `<outDir>/checkpoints/`: each is a folder `step-NNNNNNNN` (or `best-NNNNNNNN`)
// holding weights.safetensors (trained parameters, decoder layout), optimizer.safetensors (AdamW slots as
// `name:slot`) and state.json; it is written into a temp folder and renamed into place, so any folder found is
// complete. The newest one is the resume point; older ones are pruned after a newer one lands. Folder writes
// (the result `model/`) go through `writeDirAtomic`.
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readSafetensors } from '../model/checkpoint/safetensors-file.js';
import { writeSafetensors } from '../model/checkpoint/safetensors-writer.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { EvalPoint } from '../recipe/trainer.js';

/** The loop's counters and bookkeeping saved with each checkpoint. */
export interface TrainingState {
  /** Layout version (1). */
  format: 1;
  /** Optimizer updates applied. */
  step: number;
  /** Micro-batches of the training stream consumed (the data-order position). */
  microBatches: number;
  /** The seed of data order, adapter init and dropout. */
  seed: number;
  /** Training tokens processed so far. */
  tokens: number;
  /** Loss of the last step. */
  lastLoss: number;
  /** Evaluations so far. */
  evals: EvalPoint[];
  /** Best eval loss so far. */
  bestEvalLoss?: number;
  /** Its step. */
  bestStep?: number;
  /** Evaluations since the last improvement (early stopping). */
  badEvals: number;
}

/** A checkpoint read back. */
export interface LoadedCheckpoint {
  /** Its folder. */
  dir: string;
  /** Counters and bookkeeping. */
  state: TrainingState;
  /** Trained parameters by name. */
  weights: Record<string, Float32Array>;
  /** Optimizer state by `name:slot` ({} for a best-weights folder). */
  optimizer: Record<string, Float32Array>;
}

/** Host tensors to write (name -> shape + data). */
export type NamedArrays = Record<string, { shape: number[]; data: Float32Array }>;

const CKPT = /^(step|best)-(\d{8})$/;

/** Writes a folder atomically: `fill(tmp)` writes into a temp sibling, which then replaces `dir`. */
export async function writeDirAtomic(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const parent = join(dir, '..');
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.tmp-${randomBytes(4).toString('hex')}-${dir.split(/[\\/]/).pop()}`);
  await mkdir(tmp);
  try {
    await fill(tmp);
    const old = join(parent, `.old-${randomBytes(4).toString('hex')}`);
    const had = await stat(dir).then(() => true, () => false);
    if (had) await rename(dir, old);
    await rename(tmp, dir);
    if (had) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Saves a checkpoint of `kind` (`step`: resumable; `best`: best-eval weights) and prunes older ones of that kind. */
export async function saveCheckpoint(outDir: string, kind: 'step' | 'best', state: TrainingState, weights: NamedArrays, optimizer: NamedArrays): Promise<string> {
  const root = join(outDir, 'checkpoints');
  const name = `${kind}-${String(state.step).padStart(8, '0')}`;
  const dir = join(root, name);
  await writeDirAtomic(dir, async (tmp) => {
    await writeSafetensors(join(tmp, 'weights.safetensors'), Object.entries(weights).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (kind === 'step') await writeSafetensors(join(tmp, 'optimizer.safetensors'), Object.entries(optimizer).sort(([a], [b]) => (a < b ? -1 : 1)));
    await writeFileAtomic(join(tmp, 'state.json'), JSON.stringify(state, null, 1) + '\n');
  });
  for (const other of await list(root, kind)) if (other.name !== name) await rm(join(root, other.name), { recursive: true, force: true });
  return dir;
}

async function list(root: string, kind: 'step' | 'best'): Promise<{ name: string; step: number }[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  return names.map((n) => CKPT.exec(n)).filter((m): m is RegExpExecArray => m !== null && m[1] === kind)
    .map((m) => ({ name: m[0], step: Number(m[2]) })).sort((a, b) => a.step - b.step);
}

/** The newest checkpoint of `kind` in `outDir`, read back; undefined when there is none. */
export async function loadLatestCheckpoint(outDir: string, kind: 'step' | 'best'): Promise<LoadedCheckpoint | undefined> {
  const root = join(outDir, 'checkpoints');
  const found = (await list(root, kind)).pop();
  if (found === undefined) return undefined;
  const dir = join(root, found.name);
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as TrainingState;
  if (state.format !== 1) throw new Error(`${join(dir, 'state.json')}: unknown checkpoint format ${String(state.format)} (this gramr reads 1)`);
  const read = async (file: string): Promise<Record<string, Float32Array>> => {
    const out: Record<string, Float32Array> = {};
    for (const [k, v] of await readSafetensors(join(dir, file))) out[k] = v.data;
    return out;
  };
  return { dir, state, weights: await read('weights.safetensors'), optimizer: kind === 'step' ? await read('optimizer.safetensors') : {} };
}
