// The CPU kernel signature: a node, its operand arrays, and an allocator. Kernels never keep references to
// their operands and must write every element of the array they return.
import type { DType } from '../../../core/tensor/dtype.js';
import type { Tensor } from '../../../core/tensor/tensor.js';
import type { CpuArray } from '../buffer-pool.js';

/** What a kernel may use while it runs. */
export interface KernelContext {
  /** An array of `n` elements with arbitrary contents (f32 tensors get Float64Array on an f64 backend). */
  alloc(n: number, dtype: DType): CpuArray;
  /** A zero-filled array. */
  zeros(n: number, dtype: DType): CpuArray;
  /** Gives back a scratch array obtained from `alloc`/`zeros` that the kernel does not return. */
  release(arr: CpuArray): void;
}

/**
 * Computes `node` from its operands' data. May return an operand array unchanged (reshape aliases its input);
 * otherwise returns a fresh array from `ctx`.
 */
export type CpuKernel = (node: Tensor, inputs: CpuArray[], ctx: KernelContext) => CpuArray;
