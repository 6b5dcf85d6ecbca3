// Public surface of the model layer: the Llama-family decoder graphs, CausalLM (weights on a backend, generation,
// scoring), parameters and scratch init for training, sampling, KV-cache buckets; plus checkpoints and tokenizers.
export * from './checkpoint/index.js';
export * from './tokenizer/index.js';
export {
  decoderHidden, decoderLogits, causalLmLoss, lmHead, selectPositions,
  type DecoderTensors, type DecoderPass, type DecoderResult, type LayerCache,
} from './decoder.js';
export {
  decoderParamSpecs, paramsFromWeights, weightsFromParams, transpose2d, type HostParam, type HostParams, type ParamSpec,
} from './decoder-weights.js';
export { ropeFrequencies } from './rope-frequencies.js';
export { createScratchModel, smallConfig, checkConfig, type SmallConfigFields } from './scratch-init.js';
export { CausalLM, type CausalLMLoadOptions, type CausalLMStats, type ParamValues } from './causal-lm.js';
export type { HostFeed, ModelRunner } from './model-runner.js';
export { generate, type GenerateOptions, type GenerationResult, type FinishReason, type TokenEvent, type OnToken } from './generate.js';
export { ContinuousBatcher, commonPrefixLength, slotCacheLength, type ContinuousBatchOptions, type ContinuousStats } from './continuous-batch.js';
export { scoreContinuations, type ScoreRequest, type LogprobOptions, type ContinuationScore } from './logprobs.js';
export { sampleToken, argmax, checkSampling, type SamplingOptions } from './sampling.js';
export { KvCache, lengthBucket, cacheInputs, MIN_BUCKET } from './kv-cache.js';
export { RowText } from './row-text.js';
