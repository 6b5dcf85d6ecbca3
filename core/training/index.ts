// Public surface of core/training: the shared training loop behind the Trainer kinds, its device engine, losses,
// objectives, length bucketing, the SFT example builder, LoRA (adapters, files, merge), the reward head and
// scratch checkpoints.
export { runTraining, stepNoise, DEFAULT_LR } from './run-training.js';
export { TrainEngine, type TrainEngineOptions, type EngineParam, type EngineStep, type EvalSums, type BatchSpec, type MicroBatchData } from './train-engine.js';
export {
  sftLoss, labelLogits, labelSmoothedLoss, bradleyTerryLoss, rewardScores, negLogSigmoid, meanLoss, REWARD_HEAD, type LossParts,
} from './losses.js';
export {
  sftObjective, labelSmoothedObjective, bradleyTerryObjective, resolveLabelTokens, initRewardHead,
  type Objective, type ObjectiveName, type EncodedExample, type EncodeSettings, type HostBatch,
} from './objectives.js';
export { buildSftSequence, sftTargets, fitPrompt, IGNORE_INDEX, type SftSequence, type SftSequenceOptions, type DroppedSequence, type Truncation } from './sft-example.js';
export { planBuckets, bucketOf, groupByBucket, sequentialBatches, BatchStream, BUCKET_MULTIPLE, type MicroBatch } from './buckets.js';
export { loraTargets, initLoraParams, loraView, mergeLoraParams, dropoutMask, moduleOf, type LoraSpec, type LoraTarget } from './lora.js';
export { saveLoraAdapter, loadLoraAdapter, checkAdapterBase, ADAPTER_FILES, type LoraAdapter } from './lora-adapter.js';
export { mergedParams, mergeLoraCheckpoint } from './lora-merge.js';
export { baseModelSha256, tokenizerFingerprint } from './fingerprint.js';
export { saveRewardHead, loadRewardHead, scoreResponses, REWARD_HEAD_FILE, type RewardHead, type ScoreResponsesOptions } from './reward-head.js';
export { initScratchCheckpoint, type ScratchModelSpec, type ScratchCheckpoint } from './scratch-checkpoint.js';
export { saveCheckpoint, loadLatestCheckpoint, writeDirAtomic, type TrainingState, type LoadedCheckpoint, type NamedArrays } from './checkpoint-store.js';
export { loadBaseModel, makeObjective, encodeExamples, oneClassWarning, type BaseModel, type EncodedSet } from './training-setup.js';
export { writeTrainingResult, type ResultInput } from './training-output.js';
export {
  fullTrainerSchema, loraTrainerSchema, parseTrainOptions, LORA_MODULES,
  type FullTrainOptions, type LoraTrainOptions, type TrainOptions, type LoraModule,
} from './train-options.js';
