// CPU kernels for gather (rows by i32 index), scatter_add (its gradient), iota and cast. Out-of-range indices
// throw with the position, the index and the valid range.
import type { CpuKernel } from './kernel.js';

function rowSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 1; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** gather(table, index). */
export const gatherKernel: CpuKernel = (node, [table, index], ctx) => {
  const tshape = node.inputs[0]!.shape;
  const rows = tshape[0]!, r = rowSize(tshape);
  const o = ctx.alloc(node.size, node.dtype);
  for (let i = 0; i < index!.length; i++) {
    const row = index![i]!;
    if (row < 0 || row >= rows) throw new Error(`gather: index ${row} at position ${i} is outside [0, ${rows}) (table [${tshape.join(',')}])`);
    const src = row * r, dst = i * r;
    for (let j = 0; j < r; j++) o[dst + j] = table![src + j]!;
  }
  return o;
};

/** scatter_add(index, updates) into zeros [rows, ...]. */
export const scatterAddKernel: CpuKernel = (node, [index, updates], ctx) => {
  const rows = node.attrs.rows as number, r = rowSize(node.shape);
  const o = ctx.zeros(node.size, node.dtype);
  for (let i = 0; i < index!.length; i++) {
    const row = index![i]!;
    if (row < 0 || row >= rows) throw new Error(`scatter_add: index ${row} at position ${i} is outside [0, ${rows})`);
    const dst = row * r, src = i * r;
    for (let j = 0; j < r; j++) o[dst + j]! += updates![src + j]!;
  }
  return o;
};

/** iota: 0..n-1. */
export const iotaKernel: CpuKernel = (node, _inputs, ctx) => {
  const o = ctx.alloc(node.size, node.dtype);
  for (let i = 0; i < o.length; i++) o[i] = i;
  return o;
};

/** cast: f32 -> i32 truncates toward zero (NaN -> 0); i32 -> f32 is exact below 2^24. */
export const castKernel: CpuKernel = (node, [x], ctx) => {
  const o = ctx.alloc(node.size, node.dtype);
  if (node.dtype === 'i32') for (let i = 0; i < o.length; i++) o[i] = Math.trunc(x![i]!) || 0;
  else for (let i = 0; i < o.length; i++) o[i] = x![i]!;
  return o;
};
