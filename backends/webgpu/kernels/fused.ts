// The WebGPU backend's fused composite kernels by op name, gathered from the files that hold them. Each computes
// what the composite's decomposition computes (the conformance suite runs the fused and the expanded forms).
import { ATTENTION_KERNELS } from './attention.js';
import { CROSS_ENTROPY_KERNELS } from './cross-entropy.js';
import type { WebGpuKernel } from './kernel.js';
import { NORM_KERNELS } from './norm.js';
import { ROPE_KERNELS } from './rope.js';
import { SOFTMAX_KERNELS } from './softmax.js';

/** Fused composite kernels by op name. */
export const FUSED_KERNELS: Readonly<Record<string, WebGpuKernel>> = {
  ...SOFTMAX_KERNELS, ...NORM_KERNELS, ...CROSS_ENTROPY_KERNELS, ...ROPE_KERNELS, ...ATTENTION_KERNELS,
};
