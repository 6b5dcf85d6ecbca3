// Composites rms_norm (RMSNorm over the last axis with a weight) and silu (x * sigmoid(x)).
// Autodiff differentiates through their decompositions.
import { compositeNode, defineComposite } from '../composite.js';
import { GraphBuildError, fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';

defineComposite({
  name: 'rms_norm',
  summary: 'x / sqrt(mean(x^2, last axis) + eps) * weight',
  apply: (inputs, attrs) => rmsNorm(inputs[0]!, inputs[1]!, (attrs.eps ?? 1e-6) as number),
  decompose([x, w], attrs) {
    const inv = x!.square().mean(-1, true).add(attrs.eps as number).rsqrt();
    return x!.mul(inv).mul(w!);
  },
});

defineComposite({
  name: 'silu',
  summary: 'x * sigmoid(x)',
  apply: (inputs) => silu(inputs[0]!),
  decompose: ([x]) => x!.mul(x!.sigmoid()),
});

/** RMSNorm over the last axis: `x / sqrt(mean(x^2) + eps) * weight`, weight `[D]`. */
export function rmsNorm(x: Tensor, weight: Tensor, eps = 1e-6): Tensor {
  const d = x.shape[x.rank - 1];
  if (x.dtype !== 'f32' || weight.dtype !== 'f32' || x.rank < 1 || weight.rank !== 1 || weight.shape[0] !== d) {
    throw new GraphBuildError(`rms_norm: needs f32 x [..., D] and weight [D], got ${x.dtype} ${fmt(x.shape)} and ${weight.dtype} ${fmt(weight.shape)}`);
  }
  if (!(eps >= 0)) throw new GraphBuildError(`rms_norm: eps must be >= 0 (got ${eps})`);
  return compositeNode('rms_norm', [x, weight], { eps }, x.shape, 'f32');
}

/** SiLU (swish): `x * sigmoid(x)`. */
export function silu(x: Tensor): Tensor {
  if (x.dtype !== 'f32') throw new GraphBuildError(`silu: needs f32, got ${x.dtype} ${fmt(x.shape)}`);
  return compositeNode('silu', [x], {}, x.shape, 'f32');
}
