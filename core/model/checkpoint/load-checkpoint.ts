// loadCheckpoint: open a checkpoint from a Hugging Face folder (or a file inside one) or a llama2.c .bin file,
// whole (loadCheckpoint) or as a reader of one tensor at a time (openCheckpoint). A Hub id (`owner/name[@rev]`,
// `hf://...`) that is not a local path is fetched into the Hub cache first (core/hub/resolve-model.ts). A LoRA model
// folder opens over its base, merged as read (core/training/adapter-checkpoint.ts).
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { resolveModelPath } from '../../hub/resolve-model.js';
import type { Checkpoint } from './checkpoint.js';
import { expectedTensors } from './canonical-weights.js';
import { memoryReader, readAllWeights, type CheckpointReader } from './checkpoint-reader.js';
import { openHfCheckpoint } from './hf-checkpoint.js';
import { loadLlama2cCheckpoint } from './llama2c-checkpoint.js';
import { ModelFormatError } from './model-format-error.js';
import { isAdapterModel } from '../../training/adapter-files.js';

/**
 * Load `path` whole (see openCheckpoint for what it accepts): config plus every tensor as float32.
 */
export async function loadCheckpoint(pathOrId: string): Promise<Checkpoint> {
  return readAllWeights(await openCheckpoint(pathOrId));
}

/**
 * Open `path` for reading tensors one at a time: a folder with config.json + model.safetensors (or an index and shards),
 * a LoRA model folder (adapter + recorded base, checked and merged as read), a file in such a folder
 * (config.json, *.safetensors, the index), or a llama2.c .bin model; or a Hub id, resolved to its cached snapshot.
 */
export async function openCheckpoint(pathOrId: string): Promise<CheckpointReader> {
  const path = await resolveModelPath(pathOrId);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new ModelFormatError('no such file or folder', { file: path });
  if (info.isDirectory()) {
    if (!isAdapterModel(path)) return openHfCheckpoint(path);
    const { openAdapterCheckpoint } = await import('../../training/adapter-checkpoint.js'); // the training modules, for adapters only
    return openAdapterCheckpoint(path, openCheckpoint);
  }
  const name = basename(path);
  if (/^pytorch_model.*\.bin$/.test(name)) {
    throw new ModelFormatError('PyTorch pickle checkpoints are not supported (they can run code when loaded); convert the folder to safetensors', { file: path });
  }
  if (name.endsWith('.bin')) return llama2cReader(path);
  if (name === 'config.json' || name.endsWith('.safetensors') || name.endsWith('.safetensors.index.json')) return openHfCheckpoint(dirname(path));
  throw new ModelFormatError('unknown checkpoint type: expected a Hugging Face folder (config.json + *.safetensors) or a llama2.c .bin file', { file: path });
}

async function llama2cReader(path: string): Promise<CheckpointReader> {
  const ckpt = await loadLlama2cCheckpoint(path);
  return memoryReader(ckpt, expectedTensors(ckpt.config));
}
