// Public surface of core/tensor: the lazy graph (Tensor, primitives, composites in `ops`), autodiff, program
// compilation, the backend contract and registries, RNG and initialization, optimizers and TrainStep.
export * as ops from './ops.js';
export { applyOp } from './ops.js';
export { Tensor, type Attrs, type JsonValue } from './tensor.js';
export {
  input, constant, scalar, full, zeros, ones, iota, where, concat, matmul, gather, scatterAdd, cast,
  PRIMITIVE_OPS, UNARY_OPS, BINARY_OPS, COMPARE_OPS, REDUCE_OPS, isPrimitive, type PrimitiveOp,
} from './primitives.js';
export { defineComposite, getComposite, compositeNames, compositeNode, decomposeNode, type CompositeDef } from './composite.js';
export { type DType, type HostArray, type HostData, DTYPES } from './dtype.js';
export { GraphBuildError, broadcastShapes, sizeOf, type Shape } from './shape.js';
export { grad, backprop, topoOrder } from './autodiff.js';
export { compileGraph, lowerGraph, structureHash, type Program, type ProgramInput, type CompileOptions } from './program.js';
export {
  checkFeeds, type ComputeBackend, type BufferAllocator, type GraphRuntime, type DeviceBuffer, type BackendCapabilities, type MemoryCounters, type CompiledGraph, type CompileGraphOptions, type Feeds,
} from './backend.js';
export { BackendRegistry, resolveBackend, type BackendFactory, type BackendAttempt, type ResolvedBackend } from './backend-registry.js';
export { KernelRegistry, KernelSet, kernelRegistry, type KernelTraits } from './kernel-registry.js';
export { BufferTable, checkUploadLength, checkUploadRange, writeHost, type SizedBuffer } from './buffer-table.js';
export { evaluate } from './evaluate.js';
export { Rng } from './rng.js';
export { normalInit, uniformInit, xavierUniform, constantInit } from './init.js';
export { AdamW, type AdamWOptions } from './optim/adamw.js';
export { Sgd, type SgdOptions } from './optim/sgd.js';
export { cosineSchedule, constantSchedule, type CosineScheduleOptions, type LrSchedule } from './optim/schedule.js';
export { globalNorm, clipByGlobalNorm } from './optim/clip.js';
export {
  groupSettings, noDecayOnNormsAndBiases, type Optimizer, type OptimizerHyper, type OptimizerState, type NamedTensors,
  type ParamGroup, type GroupSettings,
} from './optim/optimizer.js';
export { TrainStep, NonFiniteError, type TrainStepOptions, type StepResult, type NanPolicy, type BatchData } from './train-step.js';
