// A LoRA model folder (adapter_model.safetensors + adapter_config.json, tokenizer files, no config.json) opened as a
// checkpoint: its base (the path recorded in adapter_config.json, itself a checkpoint or another LoRA folder) is
// opened, its content hash checked against the recorded one, and each targeted weight is merged as it is read
// (W + (alpha/r)·A·B, summed in float64 like mergeLoraParams), so every loader sees the full model and no merged
// copy is written to disk. A base that changed or moved since training is refused with a clear error.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkError } from '../errors.js';
import { resolveModelPath } from '../hub/resolve-model.js';
import type { CheckpointReader } from '../model/checkpoint/checkpoint-reader.js';
import type { WriteDtype } from '../model/checkpoint/dtype-encode.js';
import { storedDtype } from '../model/checkpoint/hf-checkpoint.js';
import { baseModelSha256 } from './fingerprint.js';
import { isAdapterModel } from './adapter-files.js';
import { checkAdapterShapes, loadLoraAdapter } from './lora-adapter.js';
import { loraTargets, type LoraTarget } from './lora.js';

export { isAdapterModel };

/** Whether `dir` holds a loadable model: a Hugging Face checkpoint (config.json) or a LoRA model folder. */
export function isModelFolder(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) || isAdapterModel(dir);
}

/**
 * The dtype full weights derived from `modelPath` are written in: its stored dtype (BF16 and F16 stay so; F32 and F64
 * give F32), through a LoRA model's chain of bases to the first full checkpoint; F32 for a llama2.c file.
 */
export async function modelDtype(modelPathOrId: string): Promise<WriteDtype> {
  const modelPath = await resolveModelPath(modelPathOrId);
  const info = await stat(modelPath);
  if (!info.isDirectory()) return modelPath.endsWith('.bin') ? 'F32' : modelDtype(join(modelPath, '..'));
  if (isAdapterModel(modelPath)) return modelDtype((await loadLoraAdapter(modelPath)).baseModelPath);
  const d = await storedDtype(modelPath);
  return d === 'BF16' || d === 'F16' ? d : 'F32';
}

// Hashes already computed in this process, keyed by the files' identity and change times: a base rewritten in place
// gets a new ctime, so it is hashed again.
const hashed = new Map<string, { key: string; sha: string }>();

async function filesKey(dir: string): Promise<string> {
  const info = await stat(dir);
  if (info.isFile()) return `${info.ino}:${info.size}:${info.ctimeMs}:${info.mtimeMs}`;
  const names = (await readdir(dir)).filter((n) => n.endsWith('.safetensors')).sort();
  const parts = await Promise.all(names.map(async (n) => {
    const s = await stat(join(dir, n));
    return `${n}:${s.ino}:${s.size}:${s.ctimeMs}:${s.mtimeMs}`;
  }));
  return parts.join('|');
}

/** baseModelSha256 of `basePath`, reusing this process's earlier result while the files are unchanged. */
export async function checkedBaseSha256(basePath: string): Promise<string> {
  const key = await filesKey(basePath);
  const known = hashed.get(basePath);
  if (known?.key === key) return known.sha;
  const sha = await baseModelSha256(basePath);
  hashed.set(basePath, { key, sha });
  return sha;
}

/** Adds (alpha/r)·A·B to `w`, a targeted weight in checkpoint layout [out, in]; A is [in, r], B [r, out]. */
function addDelta(w: Float32Array, t: LoraTarget, a: Float32Array, b: Float32Array, r: number, scale: number): void {
  for (let o = 0; o < t.out; o++) {
    for (let i = 0; i < t.in; i++) {
      let acc = 0;
      for (let k = 0; k < r; k++) acc += a[i * r + k]! * b[k * t.out + o]!;
      w[o * t.in + i] = w[o * t.in + i]! + scale * acc;
    }
  }
}

/**
 * Open the LoRA model folder `dir` as a checkpoint over its base, opened with `openBase`. Throws a WorkError when the
 * base is missing, changed (its sha256 differs from the recorded one) or of another shape.
 */
export async function openAdapterCheckpoint(dir: string, openBase: (path: string) => Promise<CheckpointReader>): Promise<CheckpointReader> {
  const adapter = await loadLoraAdapter(dir);
  const basePath = adapter.baseModelPath;
  const where = `LoRA model ${dir}`;
  if (!basePath) throw new WorkError(`${where}: adapter_config.json records no base model path, so the adapter cannot be loaded; export it with its base given`);
  if (!existsSync(basePath)) {
    throw new WorkError(`${where}: its base model ${basePath} does not exist (moved or deleted since training); put the base back there, or export the adapter with the base given`);
  }
  const sha = await checkedBaseSha256(basePath);
  if (sha !== adapter.baseModelSha256) {
    throw new WorkError(`${where}: its base model ${basePath} changed since the adapter was trained (sha256 now ${sha.slice(0, 16)}…, `
      + `recorded ${adapter.baseModelSha256.slice(0, 16)}…); the adapter only fits the base it was trained on: restore that base or train again`);
  }
  const base = await openBase(basePath);
  try {
    checkAdapterShapes(adapter, basePath, base.config, where);
  } catch (e) {
    await base.close();
    throw new WorkError((e as Error).message);
  }
  const { r, alpha } = adapter.spec;
  const targets = new Map(loraTargets(base.config, adapter.spec.targets).map((t) => [t.weight, t]));
  return {
    config: base.config, format: base.format, source: dir, ignored: base.ignored, tensors: base.tensors,
    read: async (name, out) => {
      const t = targets.get(name);
      const read = await base.read(name, out);
      if (t === undefined) return read;
      // A reader may hand out its own array (a checkpoint held in memory): merge into a copy then.
      const w = out ?? new Float32Array(read);
      addDelta(w, t, adapter.weights[t.a]!.data, adapter.weights[t.b]!.data, r, alpha / r);
      return w;
    },
    close: () => base.close(),
  };
}
