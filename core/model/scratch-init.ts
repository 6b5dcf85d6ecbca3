// Models we train ourselves: a small ModelConfig with Llama defaults (`smallConfig`) and seeded initial
// parameters (`createScratchModel`): normal(0, 0.02) matrices and embeddings, ones for norms, zeros for biases.
import { checkArchitectureFlags, type ModelConfig } from './checkpoint/model-config.js';
import { decoderParamSpecs, type HostParams } from './decoder-weights.js';
import { Rng } from '../tensor/rng.js';
import { constantInit, normalInit } from '../tensor/init.js';

/** Fields of `smallConfig`: the sizes are required, everything else has a Llama default. */
export type SmallConfigFields = Pick<ModelConfig, 'vocabSize' | 'hiddenSize' | 'intermediateSize' | 'numLayers' | 'numHeads'> & Partial<ModelConfig>;

/**
 * A complete config from sizes: Llama architecture, kv heads = heads, headDim = hidden / heads, 2048 positions,
 * eps 1e-5, theta 10000, 'half' RoPE, no biases, tied embeddings, no BOS/EOS, unless given.
 */
export function smallConfig(fields: SmallConfigFields): ModelConfig {
  const c: ModelConfig = {
    architecture: 'LlamaForCausalLM', numKvHeads: fields.numHeads, headDim: fields.hiddenSize / fields.numHeads,
    maxPositions: 2048, rmsNormEps: 1e-5, ropeTheta: 10000, ropeStyle: 'half', attentionBias: false,
    attentionOutBias: false, mlpBias: false, qkNorm: false, tieWordEmbeddings: true, eosTokenIds: [], ...fields,
  };
  checkConfig(c, 'smallConfig');
  return c;
}

/** Checks sizes and architecture flags of a config built in code; errors name `where` and the field. */
export function checkConfig(c: ModelConfig, where: string): void {
  const ints: (keyof ModelConfig)[] = ['vocabSize', 'hiddenSize', 'intermediateSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'maxPositions'];
  for (const k of ints) {
    const v = c[k];
    if (!Number.isInteger(v) || (v as number) <= 0) throw new Error(`${where}: ${k} must be a positive integer, got ${String(v)}`);
  }
  if (c.numHeads % c.numKvHeads !== 0) throw new Error(`${where}: numHeads (${c.numHeads}) must be a multiple of numKvHeads (${c.numKvHeads})`);
  if (c.headDim % 2 !== 0) throw new Error(`${where}: headDim (${c.headDim}) must be even for RoPE`);
  checkArchitectureFlags(c, where);
}

/** Seeded initial parameters for `config` (the same seed gives bit-identical values), in the decoder's layout. */
export function createScratchModel(config: ModelConfig, seed: number, std = 0.02): HostParams {
  checkConfig(config, 'createScratchModel');
  const rng = new Rng(seed);
  const out: HostParams = {};
  for (const spec of decoderParamSpecs(config)) {
    const vector = spec.shape.length === 1;
    const data = !vector ? normalInit(rng, spec.shape, std)
      : /\.bias$/.test(spec.name) ? constantInit(spec.shape, 0) : constantInit(spec.shape, 1);
    out[spec.name] = { shape: spec.shape, data };
  }
  return out;
}
