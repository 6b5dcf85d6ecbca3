// The CPU backend's kernels: one per primitive op plus the fused composite kernels, registered in the shared
// kernelRegistry under `cpu/<op>` when this module loads.
import { BINARY_OPS, COMPARE_OPS, PRIMITIVE_OPS, REDUCE_OPS, UNARY_OPS } from '../../core/tensor/primitives.js';
import { KernelSet, kernelRegistry } from '../../core/tensor/kernel-registry.js';
import { binaryKernel, unaryKernel, whereKernel } from './kernels/elementwise.js';
import { FUSED_KERNELS } from './kernels/fused.js';
import { castKernel, gatherKernel, iotaKernel, scatterAddKernel } from './kernels/indexing.js';
import type { CpuKernel } from './kernels/kernel.js';
import { concatKernel, expandKernel, padKernel, reshapeKernel, sliceKernel, transposeKernel } from './kernels/movement.js';
import { reduceKernel } from './kernels/reduce.js';
import { matmulKernel } from './matmul.js';

/** Kernels for every primitive except the leaves `input` and `constant` (the executor feeds those). */
export function primitiveKernels(): Record<string, CpuKernel> {
  const k: Record<string, CpuKernel> = {
    where: whereKernel, reshape: reshapeKernel, transpose: transposeKernel, expand: expandKernel, slice: sliceKernel,
    pad: padKernel, concat: concatKernel, matmul: matmulKernel, gather: gatherKernel, scatter_add: scatterAddKernel,
    iota: iotaKernel, cast: castKernel,
  };
  for (const op of UNARY_OPS) k[op] = unaryKernel;
  for (const op of [...BINARY_OPS, ...COMPARE_OPS]) k[op] = binaryKernel;
  for (const op of REDUCE_OPS) k[op] = reduceKernel;
  for (const op of PRIMITIVE_OPS) {
    if (op !== 'input' && op !== 'constant' && !k[op]) throw new Error(`cpu: primitive '${op}' has no kernel`);
  }
  return k;
}

for (const [op, kernel] of Object.entries(primitiveKernels())) kernelRegistry.register('cpu', op, kernel);
for (const [op, kernel] of Object.entries(FUSED_KERNELS)) kernelRegistry.register('cpu', op, kernel);

/** The `cpu/<op>` kernels of one backend instance: every primitive and, when `fused`, the fused composites. */
export function cpuKernels(fused: boolean): KernelSet<CpuKernel> { return new KernelSet<CpuKernel>('cpu', fused); }
