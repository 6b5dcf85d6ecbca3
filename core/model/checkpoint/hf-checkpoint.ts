// Hugging Face checkpoint folders: config.json + model.safetensors, or shards listed in
// model.safetensors.index.json. Loading checks every tensor's presence and shape against the config before
// reading data; saving writes model.safetensors (F32, BF16 or F16) + config.json (+ tokenizer files), each atomically.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkTensors, checkWeights, expectedTensors, type FoundTensors, type Weights } from './canonical-weights.js';
import { readAllWeights, type CheckpointReader } from './checkpoint-reader.js';
import { parseHfConfig, toHfConfig, type ModelConfig } from './model-config.js';
import { ModelFormatError } from './model-format-error.js';
import { SafetensorsFile } from './safetensors-file.js';
import { openQuantizedCheckpoint, storedQuantization } from './quantized-checkpoint.js';
import { writeSafetensors } from './safetensors-writer.js';
import { torchDtypeOf, type WriteDtype } from './dtype-encode.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import type { Checkpoint } from './checkpoint.js';

/** Anything with a save(dir) (a Tokenizer), so this module needs no tokenizer import. */
export interface SavableTokenizer {
  /** Write the tokenizer's files into dir; returns the paths. */
  save(dir: string): Promise<string[]>;
}

/** Load a Hugging Face checkpoint folder (every tensor as float32). */
export async function loadHfCheckpoint(dir: string): Promise<Checkpoint> {
  return readAllWeights(await openHfCheckpoint(dir));
}

/**
 * Open a Hugging Face checkpoint folder: reads config.json and every safetensors header, checks each tensor's
 * presence and shape against the config, and keeps the files open for reading tensors one by one. A folder whose
 * config declares gramr's quantization_config opens as a stored quantized checkpoint (quantized-checkpoint.ts).
 */
export async function openHfCheckpoint(dir: string): Promise<CheckpointReader> {
  const configPath = join(dir, 'config.json');
  const rawConfig = await readJson(configPath);
  const config = parseHfConfig(rawConfig, configPath);
  const quantization = storedQuantization(rawConfig, configPath);
  if (quantization !== undefined) return openQuantizedCheckpoint(dir, config, quantization, configPath);
  const shardNames = await weightFiles(dir);
  const files: SafetensorsFile[] = [];
  try {
    const found: FoundTensors = new Map();
    const owner = new Map<string, SafetensorsFile>();
    for (const name of shardNames.files) {
      const f = await SafetensorsFile.open(join(dir, name));
      files.push(f);
      for (const [tensor, e] of f.entries) {
        const prev = owner.get(tensor);
        if (prev !== undefined) throw new ModelFormatError(`tensor is stored twice (also in ${prev.path})`, { file: f.path, item: tensor });
        owner.set(tensor, f);
        found.set(tensor, { shape: e.shape, file: f.path });
      }
    }
    for (const [tensor, shard] of shardNames.index) {
      if (owner.get(tensor)?.path !== join(dir, shard)) {
        throw new ModelFormatError(`the index puts this tensor in ${shard}, but that shard does not contain it`, { file: join(dir, 'model.safetensors.index.json'), item: tensor });
      }
    }
    const searched = shardNames.files.map((n) => join(dir, n)).join(', ');
    const ignored = checkTensors(config, found, configPath, searched);
    const tensors = expectedTensors(config);
    return {
      config, format: 'hf-safetensors', source: dir, ignored, tensors,
      read: (name, out) => {
        const f = owner.get(name);
        return f ? f.readFloat32(name, out) : Promise.reject(new ModelFormatError('no such tensor in this checkpoint', { file: dir, item: name }));
      },
      close: async () => { await Promise.all(files.map((f) => f.close())); },
    };
  } catch (err) {
    await Promise.all(files.map((f) => f.close()));
    throw err;
  }
}

/** The safetensors files of a folder and, when sharded, the index's tensor -> shard map. */
async function weightFiles(dir: string): Promise<{ files: string[]; index: Map<string, string> }> {
  const indexPath = join(dir, 'model.safetensors.index.json');
  if (await exists(indexPath)) {
    const idx = await readJson(indexPath);
    const map = idx.weight_map;
    if (typeof map !== 'object' || map === null || Object.values(map).some((v) => typeof v !== 'string' || v.includes('/') || v.includes('\\'))) {
      throw new ModelFormatError('"weight_map" must map tensor names to shard file names in the same folder', { file: indexPath, item: 'weight_map' });
    }
    const index = new Map(Object.entries(map as Record<string, string>));
    const files = [...new Set(index.values())];
    for (const f of files) if (!(await exists(join(dir, f)))) throw new ModelFormatError(`shard ${f} listed in the index does not exist`, { file: indexPath, item: f });
    return { files, index };
  }
  if (await exists(join(dir, 'model.safetensors'))) return { files: ['model.safetensors'], index: new Map() };
  const other = (await exists(join(dir, 'pytorch_model.bin'))) ? ' (pytorch_model.bin is not supported: convert it to safetensors)' : '';
  throw new ModelFormatError(`no model.safetensors or model.safetensors.index.json${other}`, { file: dir });
}

/**
 * Write a Hugging Face checkpoint folder: model.safetensors (in `dtype`, default F32, canonical tensor order),
 * config.json (its torch_dtype saying which) and, when a tokenizer is given, its files. Weights are checked against
 * the config first. Returns the paths written.
 */
export async function saveHfCheckpoint(dir: string, config: ModelConfig, weights: Weights, tokenizer?: SavableTokenizer, dtype: WriteDtype = 'F32'): Promise<string[]> {
  const hfConfig = { ...toHfConfig(config, join(dir, 'config.json')), torch_dtype: torchDtypeOf(dtype) };
  checkWeights(config, weights, `weights for ${join(dir, 'model.safetensors')}`);
  await mkdir(dir, { recursive: true });
  const modelPath = join(dir, 'model.safetensors');
  const configPath = join(dir, 'config.json');
  const ordered = expectedTensors(config).map((s): [string, { shape: number[]; data: Float32Array }] => [s.name, weights.get(s.name)!]);
  await writeSafetensors(modelPath, ordered, undefined, dtype);
  await writeFileAtomic(configPath, JSON.stringify(hfConfig, null, 2) + '\n');
  const written = [modelPath, configPath];
  if (tokenizer !== undefined) written.push(...(await tokenizer.save(dir)));
  return written;
}

/** The float dtype most of a checkpoint folder's weights are stored in (by bytes), or undefined when it has none. */
export async function storedDtype(dir: string): Promise<string | undefined> {
  const { files } = await weightFiles(dir);
  const bytes = new Map<string, number>();
  for (const f of files) {
    const file = await SafetensorsFile.open(join(dir, f));
    try {
      for (const e of file.entries.values()) bytes.set(e.dtype, (bytes.get(e.dtype) ?? 0) + e.end - e.begin);
    } finally {
      await file.close();
    }
  }
  return [...bytes].sort((a, b) => b[1] - a[1])[0]?.[0];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8').catch((err: Error) => { throw new ModelFormatError(`cannot read: ${err.message}`, { file: path }); });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError(`invalid JSON: ${(err as Error).message}`, { file: path });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ModelFormatError('expected a JSON object', { file: path });
  return v as Record<string, unknown>;
}
