// Entry point of the WebGPU backend: the class, its options, kernel types, and registration into a BackendRegistry.
// Pipelines get the backend through plugin.ts (DI); library code and tests may use registerWebGpuBackend(registry).
import type { BackendRegistry } from '../../core/tensor/backend-registry.js';
import { WebGpuBackend, type WebGpuBackendOptions } from './webgpu-backend.js';

export { WebGpuBackend, type WebGpuBackendOptions } from './webgpu-backend.js';
export type { GpuTensor, KernelContext, WebGpuKernel, Dispatch } from './kernels/kernel.js';
export { ADAPTER_CHOICES, AUTO_PATHS, NAMED_PATHS } from './device.js';

/** Registers the `webgpu` backend factory (options apply to every instance it creates). */
export function registerWebGpuBackend(registry: BackendRegistry, options: WebGpuBackendOptions = {}): void {
  registry.register('webgpu', () => new WebGpuBackend(options));
}
