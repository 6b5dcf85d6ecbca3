// Composites softmax and log_softmax over one axis (max-subtracted for stability), with their own backward
// so a fused forward kernel needs no decomposition in the gradient.
import { compositeNode, defineComposite } from '../composite.js';
import { GraphBuildError, fmt, normAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';

function checkF32(op: string, x: Tensor): void {
  if (x.dtype !== 'f32') throw new GraphBuildError(`${op}: needs f32, got ${x.dtype} ${fmt(x.shape)}`);
}

defineComposite({
  name: 'softmax',
  summary: 'exp(x - max) / sum(exp(x - max)) along `axis`',
  apply: (inputs, attrs) => softmax(inputs[0]!, (attrs.axis ?? -1) as number),
  decompose([x], attrs) {
    const axis = attrs.axis as number;
    const e = x!.sub(x!.max(axis, true)).exp();
    return e.div(e.sum(axis, true));
  },
  vjp(y, g) {
    const axis = y.attrs.axis as number;
    return [y.mul(g.sub(g.mul(y).sum(axis, true)))];
  },
});

defineComposite({
  name: 'log_softmax',
  summary: 'x - max - log(sum(exp(x - max))) along `axis`',
  apply: (inputs, attrs) => logSoftmax(inputs[0]!, (attrs.axis ?? -1) as number),
  decompose([x], attrs) {
    const axis = attrs.axis as number;
    const z = x!.sub(x!.max(axis, true));
    return z.sub(z.exp().sum(axis, true).log());
  },
  vjp(y, g) {
    const axis = y.attrs.axis as number;
    return [g.sub(y.exp().mul(g.sum(axis, true)))];
  },
});

/** Softmax along `axis` (default last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkF32('softmax', x);
  return compositeNode('softmax', [x], { axis: normAxis(axis, x.rank, 'softmax', x.shape) }, x.shape, 'f32');
}

/** Log-softmax along `axis` (default last). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkF32('log_softmax', x);
  return compositeNode('log_softmax', [x], { axis: normAxis(axis, x.rank, 'log_softmax', x.shape) }, x.shape, 'f32');
}
