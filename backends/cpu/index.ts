// Entry point of the CPU backend: the class, its options, and registration into a BackendRegistry.
// Pipelines get the backend through plugin.ts (DI); library code and tests may use registerCpuBackend(registry).
import type { BackendRegistry } from '../../core/tensor/backend-registry.js';
import { CpuBackend, type CpuBackendOptions } from './cpu-backend.js';

export { CpuBackend, type CpuBackendOptions } from './cpu-backend.js';
export type { CpuKernel, KernelContext } from './kernels/kernel.js';
export type { CpuArray } from './buffer-pool.js';
export { matmul2d } from './matmul.js';

/** Registers the `cpu` backend factory (options apply to every instance it creates). */
export function registerCpuBackend(registry: BackendRegistry, options: CpuBackendOptions = {}): void {
  registry.register('cpu', () => new CpuBackend(options));
}
