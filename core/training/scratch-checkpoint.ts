// initScratchCheckpoint: a seeded, randomly initialized Llama-style model with a byte tokenizer written as an HF
// checkpoint folder (config.json, model.safetensors, tokenizer.json, tokenizer_config.json), so recipe stages that
// train from scratch can start from a path like any other.
import { saveHfCheckpoint } from '../model/checkpoint/hf-checkpoint.js';
import type { ModelConfig } from '../model/checkpoint/model-config.js';
import { weightsFromParams } from '../model/decoder-weights.js';
import { createScratchModel, smallConfig } from '../model/scratch-init.js';
import { ByteTokenizer } from '../model/tokenizer/byte-tokenizer.js';

/** Sizes of a scratch model. */
export interface ScratchModelSpec {
  /** Hidden size (a multiple of `heads`, with an even head size). */
  hiddenSize: number;
  /** Decoder layers. */
  layers: number;
  /** Attention heads. */
  heads: number;
  /** Key/value heads (default `heads`; must divide it). */
  kvHeads?: number;
  /** SwiGLU intermediate size. */
  intermediate: number;
  /** Context length. */
  maxPositions: number;
  /** The tokenizer whose vocabulary sizes the model (default: a plain ByteTokenizer, 259 ids). */
  tokenizer?: ByteTokenizer;
  /** Share the embedding and the LM head (default true). */
  tieWordEmbeddings?: boolean;
  /** RoPE base (default 10000); a smaller base gives finer position resolution over short contexts. */
  ropeTheta?: number;
}

/** What initScratchCheckpoint wrote. */
export interface ScratchCheckpoint {
  /** The model's config (Llama architecture, BOS/EOS of the byte tokenizer). */
  config: ModelConfig;
  /** Files written. */
  paths: string[];
}

/** Writes a seeded scratch model (normal(0, 0.02) matrices, unit norms) + byte tokenizer into `dir`. */
export async function initScratchCheckpoint(dir: string, spec: ScratchModelSpec, seed: number): Promise<ScratchCheckpoint> {
  const tok = spec.tokenizer ?? new ByteTokenizer();
  const config = smallConfig({
    vocabSize: tok.vocabSize, hiddenSize: spec.hiddenSize, intermediateSize: spec.intermediate, numLayers: spec.layers,
    numHeads: spec.heads, numKvHeads: spec.kvHeads ?? spec.heads, maxPositions: spec.maxPositions,
    tieWordEmbeddings: spec.tieWordEmbeddings ?? true, ...(spec.ropeTheta !== undefined ? { ropeTheta: spec.ropeTheta } : {}), bosTokenId: ByteTokenizer.BOS, eosTokenIds: [ByteTokenizer.EOS],
  });
  const paths = await saveHfCheckpoint(dir, config, weightsFromParams(config, createScratchModel(config, seed)), tok);
  return { config, paths };
}
