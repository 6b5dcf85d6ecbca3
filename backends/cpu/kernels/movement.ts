// CPU kernels for data movement: reshape (aliases its input), transpose, expand, slice, pad, concat.
// All but concat are strided copies through forEachRow.
import type { Tensor } from '../../../core/tensor/tensor.js';
import { stridesOf } from '../../../core/tensor/shape.js';
import type { CpuArray } from '../buffer-pool.js';
import { broadcastStrides, forEachRow } from '../strided.js';
import type { CpuKernel } from './kernel.js';

function copyRows(o: CpuArray, x: CpuArray, shape: readonly number[], oStrides: number[], xStrides: number[], oBase: number, xBase: number): void {
  forEachRow(shape, [oStrides, xStrides], [oBase, xBase], (off, n, inner) => {
    const oo = off[0]!, xo = off[1]!, so = inner[0]!, sx = inner[1]!;
    if (so === 1 && sx === 1) for (let j = 0; j < n; j++) o[oo + j] = x[xo + j]!;
    else for (let j = 0; j < n; j++) o[oo + j * so] = x[xo + j * sx]!;
  });
}

/** reshape: same data. */
export const reshapeKernel: CpuKernel = (_node, [x]) => x!;

/** transpose: output axis i reads input axis perm[i]. */
export const transposeKernel: CpuKernel = (node, [x], ctx) => {
  const perm = node.attrs.perm as number[];
  const xs = stridesOf(node.inputs[0]!.shape);
  const o = ctx.alloc(node.size, node.dtype);
  copyRows(o, x!, node.shape, stridesOf(node.shape), perm.map((p) => xs[p]!), 0, 0);
  return o;
};

/** expand: broadcast copy. */
export const expandKernel: CpuKernel = (node, [x], ctx) => {
  const o = ctx.alloc(node.size, node.dtype);
  copyRows(o, x!, node.shape, stridesOf(node.shape), broadcastStrides(node.inputs[0]!.shape, node.shape), 0, 0);
  return o;
};

/** slice: the box starts..ends. */
export const sliceKernel: CpuKernel = (node, [x], ctx) => {
  const starts = node.attrs.starts as number[];
  const xs = stridesOf(node.inputs[0]!.shape);
  const o = ctx.alloc(node.size, node.dtype);
  const base = starts.reduce((acc, s, i) => acc + s * xs[i]!, 0);
  copyRows(o, x!, node.shape, stridesOf(node.shape), xs, 0, base);
  return o;
};

/** pad: fill with the value, then copy the input into the interior. */
export const padKernel: CpuKernel = (node, [x], ctx) => {
  const before = node.attrs.before as number[];
  const os = stridesOf(node.shape);
  const o = ctx.alloc(node.size, node.dtype);
  o.fill(node.attrs.value as number);
  const base = before.reduce((acc, b, i) => acc + b * os[i]!, 0);
  const inShape = node.inputs[0]!.shape;
  copyRows(o, x!, inShape, os, stridesOf(inShape), base, 0);
  return o;
};

/** concat along an axis. */
export const concatKernel: CpuKernel = (node, xs, ctx) => {
  const axis = node.attrs.axis as number;
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= node.shape[i]!;
  for (let i = axis + 1; i < node.shape.length; i++) inner *= node.shape[i]!;
  const rowOut = node.shape[axis]! * inner;
  const o = ctx.alloc(node.size, node.dtype);
  let off = 0;
  node.inputs.forEach((t: Tensor, k) => {
    const x = xs[k]!;
    const len = t.shape[axis]! * inner;
    for (let p = 0; p < outer; p++) {
      const ob = p * rowOut + off, xb = p * len;
      for (let j = 0; j < len; j++) o[ob + j] = x[xb + j]!;
    }
    off += len;
  });
  return o;
};
