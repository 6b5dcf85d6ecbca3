// CPU kernels for reduce_sum / reduce_max / reduce_mean over one axis (kept as size 1). The input is viewed as
// [outer, n, inner]; rows of `inner` contiguous elements are accumulated in order, so results are deterministic.
import type { CpuKernel } from './kernel.js';

/** reduce_sum, reduce_max, reduce_mean. */
export const reduceKernel: CpuKernel = (node, [x], ctx) => {
  const shape = node.inputs[0]!.shape;
  const axis = node.attrs.axis as number;
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  const n = shape[axis]!;
  const o = ctx.alloc(outer * inner, node.dtype);
  const isMax = node.op === 'reduce_max';
  for (let p = 0; p < outer; p++) {
    const ob = p * inner, xb = p * n * inner;
    if (n === 0) { for (let i = 0; i < inner; i++) o[ob + i] = 0; continue; }
    if (inner === 1) { // one contiguous run: accumulate in a float64 local
      let acc = x![xb]!;
      for (let k = 1; k < n; k++) {
        const v = x![xb + k]!;
        if (!isMax) acc += v;
        else if (v > acc || v !== v) acc = v;
      }
      o[ob] = node.op === 'reduce_mean' ? acc / n : acc;
      continue;
    }
    for (let i = 0; i < inner; i++) o[ob + i] = x![xb + i]!;
    for (let k = 1; k < n; k++) {
      const xk = xb + k * inner;
      if (isMax) {
        for (let i = 0; i < inner; i++) {
          const v = x![xk + i]!;
          // NaN propagates like Math.max
          if (v > o[ob + i]! || v !== v) o[ob + i] = v;
        }
      } else {
        for (let i = 0; i < inner; i++) o[ob + i]! += x![xk + i]!;
      }
    }
    if (node.op === 'reduce_mean') for (let i = 0; i < inner; i++) o[ob + i]! /= n;
  }
  return o;
};
