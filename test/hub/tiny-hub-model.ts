// Tiny Hugging Face-layout models for the Hub tests: a seeded scratch Llama model with the byte tokenizer,
// saved by saveHfCheckpoint, read back as a map of repo files; and the same weights split into two shards
// with a model.safetensors.index.json, the layout of large checkpoints.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveHfCheckpoint, writeSafetensors } from '../../core/model/checkpoint/index.js';
import type { ModelConfig } from '../../core/model/checkpoint/model-config.js';
import { weightsFromParams } from '../../core/model/decoder-weights.js';
import { createScratchModel, smallConfig } from '../../core/model/scratch-init.js';
import { ByteTokenizer } from '../../core/model/tokenizer/byte-tokenizer.js';

/** A repo's files by path. */
export type RepoFiles = Record<string, Buffer>;

/** The config of the tiny model (byte vocabulary, 128 positions). */
export function tinyHubConfig(): ModelConfig {
  return smallConfig({ vocabSize: new ByteTokenizer().vocabSize, hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1, maxPositions: 128 });
}

async function readAll(dir: string): Promise<RepoFiles> {
  const files: RepoFiles = {};
  for (const name of await readdir(dir)) files[name] = await readFile(join(dir, name));
  return files;
}

/** The tiny model's files (config.json, model.safetensors, the tokenizer files) plus a generation_config.json. */
export async function tinyModelFiles(seed = 5): Promise<RepoFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'gramr-hub-model-'));
  const config = tinyHubConfig();
  await saveHfCheckpoint(dir, config, weightsFromParams(config, createScratchModel(config, seed)), new ByteTokenizer());
  const files = await readAll(dir);
  files['generation_config.json'] = Buffer.from(JSON.stringify({ do_sample: false, max_new_tokens: 16 }));
  return files;
}

/** The same model with its weights in two shards and an index instead of model.safetensors. */
export async function shardedModelFiles(seed = 5): Promise<RepoFiles> {
  const files = await tinyModelFiles(seed);
  const config = tinyHubConfig();
  const weights = [...weightsFromParams(config, createScratchModel(config, seed))];
  const half = Math.ceil(weights.length / 2);
  const dir = await mkdtemp(join(tmpdir(), 'gramr-hub-shards-'));
  const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const parts = [weights.slice(0, half), weights.slice(half)];
  const weightMap: Record<string, string> = {};
  for (let i = 0; i < 2; i++) {
    await writeSafetensors(join(dir, names[i]!), parts[i]!);
    for (const [name] of parts[i]!) weightMap[name] = names[i]!;
    files[names[i]!] = await readFile(join(dir, names[i]!));
  }
  delete files['model.safetensors'];
  files['model.safetensors.index.json'] = Buffer.from(JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  return files;
}
