// Fused CPU kernels for composites: softmax, log_softmax, rms_norm, silu, cross_entropy. Each computes exactly
// what the composite's decomposition computes (the conformance suite runs both) in one pass without temporaries.
import type { CpuArray } from '../buffer-pool.js';
import type { CpuKernel } from './kernel.js';

function view(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

// softmax (log = false) or log_softmax (log = true) of x viewed as [outer, n, inner] along n.
function softmaxInto(x: CpuArray, o: CpuArray, outer: number, n: number, inner: number, log: boolean): void {
  for (let p = 0; p < outer; p++) {
    for (let i = 0; i < inner; i++) {
      const base = p * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) { const v = x[base + k * inner]!; if (v > m || v !== v) m = v; }
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(x[base + k * inner]! - m);
      if (log) {
        const ls = Math.log(s);
        for (let k = 0; k < n; k++) o[base + k * inner] = x[base + k * inner]! - m - ls;
      } else {
        for (let k = 0; k < n; k++) o[base + k * inner] = Math.exp(x[base + k * inner]! - m) / s;
      }
    }
  }
}

/** Fused composite kernels by op name. */
export const FUSED_KERNELS: Readonly<Record<string, CpuKernel>> = {
  softmax: (node, [x], ctx) => {
    const o = ctx.alloc(node.size, 'f32');
    softmaxInto(x!, o, ...view(node.shape, node.attrs.axis as number), false);
    return o;
  },
  log_softmax: (node, [x], ctx) => {
    const o = ctx.alloc(node.size, 'f32');
    softmaxInto(x!, o, ...view(node.shape, node.attrs.axis as number), true);
    return o;
  },
  rms_norm: (node, [x, w], ctx) => {
    const d = node.shape[node.shape.length - 1]!, rows = d === 0 ? 0 : node.size / d;
    const eps = node.attrs.eps as number;
    const o = ctx.alloc(node.size, 'f32');
    for (let r = 0; r < rows; r++) {
      const b = r * d;
      let ss = 0;
      for (let j = 0; j < d; j++) ss += x![b + j]! * x![b + j]!;
      const inv = 1 / Math.sqrt(ss / d + eps);
      for (let j = 0; j < d; j++) o[b + j] = x![b + j]! * inv * w![j]!;
    }
    return o;
  },
  silu: (node, [x], ctx) => {
    const o = ctx.alloc(node.size, 'f32');
    for (let i = 0; i < o.length; i++) o[i] = x![i]! / (1 + Math.exp(-x![i]!));
    return o;
  },
  cross_entropy: (node, [logits, targets], ctx) => {
    const lshape = node.inputs[0]!.shape;
    const v = lshape[lshape.length - 1]!, n = targets!.length;
    const ignore = node.attrs.ignoreIndex as number, reduction = node.attrs.reduction as string;
    const perRow = ctx.alloc(n, 'f32');
    let total = 0, count = 0;
    for (let r = 0; r < n; r++) {
      const t = targets![r]!;
      if (t === ignore || t < 0 || t >= v) { perRow[r] = 0; if (t !== ignore) count++; continue; }
      const b = r * v;
      let m = -Infinity;
      for (let j = 0; j < v; j++) { const x = logits![b + j]!; if (x > m || x !== x) m = x; }
      let s = 0;
      for (let j = 0; j < v; j++) s += Math.exp(logits![b + j]! - m);
      perRow[r] = -(logits![b + t]! - m - Math.log(s));
      total += perRow[r]!;
      count++;
    }
    if (reduction === 'none') return perRow;
    ctx.release(perRow);
    const o = ctx.alloc(1, 'f32');
    o[0] = reduction === 'sum' ? total : total / Math.max(count, 1);
    return o;
  },
};
