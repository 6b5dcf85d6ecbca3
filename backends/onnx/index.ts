// Entry point of the ONNX Runtime backend: the class, its options, registration into a BackendRegistry, the
// lowering (for tools that want the ONNX bytes) and standalone export. Pipelines get the backend through
// plugin.ts (DI).
import type { BackendRegistry } from '../../core/tensor/backend-registry.js';
import { OnnxBackend, type OnnxBackendOptions } from './onnx-backend.js';

export { OnnxBackend, estimateFlops, type OnnxBackendOptions, type OnnxCapabilities, type OnnxCompiledGraph } from './onnx-backend.js';
export { lowerProgram, type LoweredProgram, type LowerOptions } from './lower-program.js';
export { fusedCompositeNames, loweringOf } from './onnx-lowerings.js';
export { exportGraph, type ExportGraphOptions, type ExportedGraph } from './export-model.js';
export { encodeModel, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo, type OnnxAttribute } from './onnx-model.js';
export { ONNX_PROVIDERS, availableProviders, type OnnxProvider } from './providers.js';

/** Registers the `onnx` backend factory (options apply to every instance it creates). */
export function registerOnnxBackend(registry: BackendRegistry, options: OnnxBackendOptions = {}): void {
  registry.register('onnx', () => new OnnxBackend(options));
}
