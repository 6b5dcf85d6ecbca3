// Merging a saved LoRA adapter into its base checkpoint: the base's parameters with W + (alpha/r)·A·B applied, in
// memory (mergedParams) or saved as a plain HF checkpoint (mergeLoraCheckpoint), after checking the adapter belongs
// to that base.
import { loadCheckpoint } from '../model/checkpoint/load-checkpoint.js';
import type { ModelConfig } from '../model/checkpoint/model-config.js';
import { saveHfCheckpoint } from '../model/checkpoint/hf-checkpoint.js';
import { paramsFromWeights, weightsFromParams, type HostParams } from '../model/decoder-weights.js';
import type { Tokenizer } from '../model/tokenizer/tokenizer.js';
import { checkAdapterBase, loadLoraAdapter, type LoraAdapter } from './lora-adapter.js';
import { mergeLoraParams } from './lora.js';

/** Base parameters at `basePath` with the adapter in `adapterDir` merged in, after checking they belong together. */
export async function mergedParams(basePath: string, adapterDir: string, tokenizer?: Tokenizer): Promise<{ config: ModelConfig; params: HostParams; adapter: LoraAdapter }> {
  const adapter = await loadLoraAdapter(adapterDir);
  const ckpt = await loadCheckpoint(basePath);
  await checkAdapterBase(adapter, basePath, ckpt.config, tokenizer, `LoRA adapter ${adapterDir}`);
  const base = paramsFromWeights(ckpt.config, ckpt.weights, basePath);
  return { config: ckpt.config, params: mergeLoraParams(ckpt.config, base, adapter.spec, adapter.weights), adapter };
}

/**
 * Merges the adapter in `adapterDir` into the base at `basePath` (W' = W + (alpha/r)·A·B) and saves the result as a
 * normal HF checkpoint in `outDir` (with `tokenizer`'s files when given). Returns the paths written.
 */
export async function mergeLoraCheckpoint(basePath: string, adapterDir: string, outDir: string, tokenizer?: Tokenizer): Promise<string[]> {
  const { config, params } = await mergedParams(basePath, adapterDir, tokenizer);
  return saveHfCheckpoint(outDir, config, weightsFromParams(config, params), tokenizer);
}
