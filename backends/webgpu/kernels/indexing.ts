// WebGPU kernels for gather (rows of a table by i32 index) and scatter_add (its gradient). Both first check every
// index: the lowest bad position is found with an atomic max of its complement, and one invocation reports it
// with the bad value encoded, so the run throws the CPU's message. scatter_add is deterministic without float
// atomics: per output row it links the positions holding that row in ascending order and sums them in that order.
import type { Tensor } from '../../../core/tensor/tensor.js';
import { linearKernel, statusWgsl, wgslType, type GpuTensor, type KernelContext, type WebGpuKernel } from './kernel.js';

const NONE = 0xffffffff;

/**
 * Records the check that every one of the `positions` indices lies in [0, rows): the run then throws
 * `<op>: index V at position P is outside [0, rows)<where>` for the lowest bad position P.
 */
function checkIndices(ctx: KernelContext, op: string, index: GpuTensor, positions: number, rows: number, where: string): void {
  if (positions === 0) return;
  const bad = ctx.zeros(1, 'i32');
  const scan = linearKernel(positions, `@group(0) @binding(0) var<storage, read> index: array<i32>;
@group(0) @binding(1) var<storage, read_write> bad: array<atomic<u32>>;`, `  let v = index[i];
  if (v < 0 || v >= ${rows}) { atomicMax(&bad[0], ~i); }`);
  ctx.dispatch({ kernel: `${op} index check`, code: scan.code, bindings: [index, bad], workgroups: scan.groups });
  // The bad value is encoded with its position as position + positions * k, k = its distance from the range,
  // when that fits 32 bits; otherwise only the value is reported.
  const limit = Math.min(Math.floor(2 ** 32 / positions), NONE);
  const message = (v: number, at: string): string => `${op}: index ${v} at ${at} is outside [0, ${rows})${where}`;
  const below = ctx.failure((e) => message(-1 - Math.floor(e / positions), `position ${e % positions}`));
  const above = ctx.failure((e) => message(rows + Math.floor(e / positions), `position ${e % positions}`));
  const far = ctx.failure((e) => message(e | 0, `one of the ${positions} positions (too far out to encode it)`));
  const code = `@group(0) @binding(0) var<storage, read> bad: array<u32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
${statusWgsl(2)}
@compute @workgroup_size(1)
fn main() {
  let f = bad[0];
  if (f == 0u) { return; }
  let p = ~f;
  let v = index[p];
  var k: u32;
  var code: u32;
  if (v < 0) { k = u32(-1 - v); code = ${below}u; } else { k = u32(v) - ${rows}u; code = ${above}u; }
  if (k < ${limit}u) { report(code, p + ${positions}u * k); } else { report(${far}u, bitcast<u32>(v)); }
}`;
  ctx.dispatch({ kernel: `${op} index report`, code, bindings: [bad, index, ctx.status()], workgroups: [1, 1, 1] });
  ctx.release(bad);
}

/** Elements per row of `shape` (all axes but the first). */
function rowSize(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** gather(table [V, ...R], index [...I]) -> [...I, ...R]. */
const gatherKernel: WebGpuKernel = (node, [table, index], ctx) => {
  const [tt, ti] = node.inputs as [Tensor, Tensor];
  const rows = tt.shape[0]!, r = rowSize(tt.shape);
  checkIndices(ctx, 'gather', index!, ti.size, rows, ` (table [${tt.shape.join(',')}])`);
  const o = ctx.alloc(node.size, node.dtype);
  if (node.size === 0) return o;
  const t = wgslType(node.dtype);
  // A bad index reads row 0 here; the run throws before anyone sees it.
  const { code, groups } = linearKernel(node.size, `@group(0) @binding(0) var<storage, read> table: array<${t}>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<${t}>;`, `  let row = u32(index[i / ${r}u]);
  out[i] = table[select(0u, row, row < ${rows}u) * ${r}u + i % ${r}u];`);
  ctx.dispatch({ kernel: 'gather', code, bindings: [table!, index!, o], workgroups: groups });
  return o;
};

/** scatter_add(index [...I], updates [...I, ...R], {rows}) -> zeros [rows, ...R] plus updates at their rows. */
const scatterAddKernel: WebGpuKernel = (node, [index, updates], ctx) => {
  const rows = node.attrs.rows as number, r = rowSize(node.shape);
  const positions = node.inputs[0]!.size;
  checkIndices(ctx, 'scatter_add', index!, positions, rows, '');
  if (node.size === 0) return ctx.alloc(0, node.dtype);
  if (positions === 0 || r === 0) return ctx.zeros(node.size, node.dtype);
  const t = wgslType(node.dtype);
  // first[row] = ~(lowest position of row) and last[row] = highest position + 1 (0: none), by atomic max.
  const first = ctx.zeros(rows, 'i32'), last = ctx.zeros(rows, 'i32'), next = ctx.alloc(positions, 'i32');
  const ends = linearKernel(positions, `@group(0) @binding(0) var<storage, read> index: array<i32>;
@group(0) @binding(1) var<storage, read_write> first: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> last: array<atomic<u32>>;`, `  let v = index[i];
  if (v < 0 || v >= ${rows}) { return; }
  atomicMax(&first[v], ~i);
  atomicMax(&last[v], i + 1u);`);
  ctx.dispatch({ kernel: 'scatter_add ends', code: ends.code, bindings: [index!, first, last], workgroups: ends.groups });
  // next[i] = the next position holding the same row (${NONE}: none): a forward scan that stops at it.
  const link = linearKernel(positions, `@group(0) @binding(0) var<storage, read> index: array<i32>;
@group(0) @binding(1) var<storage, read> last: array<u32>;
@group(0) @binding(2) var<storage, read_write> next: array<u32>;`, `  let v = index[i];
  var p = ${NONE}u;
  if (v >= 0 && v < ${rows} && last[v] > i + 1u) {
    p = i + 1u;
    loop { if (index[p] == v) { break; } p++; }
  }
  next[i] = p;`);
  ctx.dispatch({ kernel: 'scatter_add link', code: link.code, bindings: [index!, last, next], workgroups: link.groups });
  ctx.release(last);
  // Output (row, j) sums updates[p, j] over its linked positions, lowest first (the CPU's order).
  const o = ctx.alloc(node.size, node.dtype);
  const sum = linearKernel(node.size, `@group(0) @binding(0) var<storage, read> first: array<u32>;
@group(0) @binding(1) var<storage, read> next: array<u32>;
@group(0) @binding(2) var<storage, read> updates: array<${t}>;
@group(0) @binding(3) var<storage, read_write> out: array<${t}>;`, `  let j = i % ${r}u;
  let f = first[i / ${r}u];
  var acc = ${t}(0);
  if (f != 0u) {
    var p = ~f;
    loop {
      acc += updates[p * ${r}u + j];
      p = next[p];
      if (p == ${NONE}u) { break; }
    }
  }
  out[i] = acc;`);
  ctx.dispatch({ kernel: 'scatter_add', code: sum.code, bindings: [first, next, updates!, o], workgroups: sum.groups });
  ctx.release(first);
  ctx.release(next);
  return o;
};

/** Indexing kernels by op name. */
export const INDEXING_KERNELS: Readonly<Record<string, WebGpuKernel>> = { gather: gatherKernel, scatter_add: scatterAddKernel };
