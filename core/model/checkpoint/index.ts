// Public surface of the checkpoint module: ModelConfig, canonical weights, readers/writers for Hugging Face
// safetensors folders and llama2.c .bin files, and the errors they raise.
export type { Checkpoint, CheckpointFormat } from './checkpoint.js';
export { ModelFormatError, type ModelFormatErrorLocation } from './model-format-error.js';
export {
  parseHfConfig, toHfConfig, checkArchitectureFlags, SUPPORTED_ARCHITECTURES,
  type ModelConfig, type ModelArchitecture, type RopeScaling, type Llama3RopeScaling, type LinearRopeScaling,
} from './model-config.js';
export { expectedTensors, checkTensors, checkWeights, type WeightTensor, type Weights, type TensorSpec, type FoundTensors } from './canonical-weights.js';
export { SafetensorsFile, parseSafetensorsHeader, readSafetensors, MAX_HEADER_BYTES, type SafetensorsEntry, type SafetensorsHeader } from './safetensors-file.js';
export { writeSafetensors, type TensorToWrite } from './safetensors-writer.js';
export { DTYPE_BYTES, FLOAT_DTYPES, decodeToFloat32, halfToFloat } from './dtype-decode.js';
export { loadHfCheckpoint, openHfCheckpoint, saveHfCheckpoint, type SavableTokenizer } from './hf-checkpoint.js';
export { loadLlama2cCheckpoint, type Llama2cHeader } from './llama2c-checkpoint.js';
export { loadCheckpoint, openCheckpoint } from './load-checkpoint.js';
export { readAllWeights, memoryReader, type CheckpointReader } from './checkpoint-reader.js';
export { writeFileAtomic, type FileWriter } from '../../io/atomic-write.js';
