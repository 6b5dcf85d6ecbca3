// Global-norm gradient clipping as graph ops: norm = sqrt(sum of squares of every gradient), and every
// gradient scaled by min(1, maxNorm / (norm + 1e-6)) as in PyTorch's clip_grad_norm_.
import { scalar } from '../primitives.js';
import type { Tensor } from '../tensor.js';

/** sqrt of the sum of squares of all elements of all `grads` (an f32 scalar). */
export function globalNorm(grads: readonly Tensor[]): Tensor {
  if (grads.length === 0) return scalar(0);
  let total: Tensor | undefined;
  for (const g of grads) {
    const s = g.square().sum();
    total = total ? total.add(s) : s;
  }
  return total!.sqrt();
}

/** Scales `grads` so their global norm is at most `maxNorm`; returns the scaled grads and the pre-clip norm. */
export function clipByGlobalNorm(grads: readonly Tensor[], maxNorm: number, norm: Tensor = globalNorm(grads)): { grads: Tensor[]; norm: Tensor } {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: maxNorm must be > 0 (got ${maxNorm})`);
  const coef = scalar(maxNorm).div(norm.add(1e-6)).minimum(1);
  return { grads: grads.map((g) => g.mul(coef)), norm };
}
