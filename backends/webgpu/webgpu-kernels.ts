// The WebGPU backend's kernels: one per primitive op plus the fused composite kernels, registered in the shared
// kernelRegistry under `webgpu/<op>` when this module loads.
import { KernelSet, kernelRegistry } from '../../core/tensor/kernel-registry.js';
import { BINARY_OPS, COMPARE_OPS, PRIMITIVE_OPS, UNARY_OPS } from '../../core/tensor/primitives.js';
import { binaryKernel, castKernel, iotaKernel, unaryKernel, whereKernel } from './kernels/elementwise.js';
import { FUSED_KERNELS } from './kernels/fused.js';
import { INDEXING_KERNELS } from './kernels/indexing.js';
import type { WebGpuKernel } from './kernels/kernel.js';
import { matmulKernel } from './kernels/matmul.js';
import { MOVEMENT_KERNELS } from './kernels/movement.js';
import { REDUCE_KERNELS } from './kernels/reduce.js';

/** Kernels for every primitive except the leaves `input` and `constant` (the executor feeds those). */
export function primitiveKernels(): Record<string, WebGpuKernel> {
  const k: Record<string, WebGpuKernel> = {
    where: whereKernel, iota: iotaKernel, cast: castKernel, matmul: matmulKernel,
    ...MOVEMENT_KERNELS, ...INDEXING_KERNELS, ...REDUCE_KERNELS,
  };
  for (const op of UNARY_OPS) k[op] = unaryKernel;
  for (const op of [...BINARY_OPS, ...COMPARE_OPS]) k[op] = binaryKernel;
  const missing = PRIMITIVE_OPS.filter((op) => op !== 'input' && op !== 'constant' && !k[op]);
  if (missing.length > 0) throw new Error(`webgpu: primitives without a kernel: ${missing.join(', ')}`);
  return k;
}

for (const [op, kernel] of Object.entries(primitiveKernels())) kernelRegistry.register('webgpu', op, kernel);
for (const [op, kernel] of Object.entries(FUSED_KERNELS)) kernelRegistry.register('webgpu', op, kernel);

/** The `webgpu/<op>` kernels of one backend instance: every primitive and, when `fused`, the fused composites. */
export function webgpuKernels(fused: boolean): KernelSet<WebGpuKernel> { return new KernelSet<WebGpuKernel>('webgpu', fused); }
