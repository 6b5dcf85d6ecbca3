// Fused WebGPU softmax and log_softmax along any axis (x viewed as [outer, n, inner]), plus the row-kernel helper
// that norm.ts and cross-entropy.ts share: short rows get one invocation each, long rows one workgroup each with
// tree reductions in workgroup memory. Max propagates NaN like the CPU reference (backends/cpu/kernels/fused.ts).
import { F32_SPECIALS_WGSL, linearGroups, linearIndex, type WebGpuKernel } from './kernel.js';

/** Rows up to this length get one invocation each; longer rows a workgroup each. */
const SHORT_ROW = 64;
const THREAD_WG = 64;

/** A row kernel's WGSL and grid (see `rowKernel`). */
export interface RowKernel {
  /** Full WGSL source. */
  code: string;
  /** Workgroup counts. */
  workgroups: [number, number, number];
}

/**
 * A kernel over `rows` rows of `n` elements, element k of row r at `base + k * inner` where
 * `base = (r / inner) * n * inner + r % inner`. `decls` declares the bindings; `body` runs per row with `row`, `base`,
 * `lane`/`STRIDE` (loop `for (var k = lane; k < N; k += STRIDE)`), `reduce_max(v)`, `reduce_sum(v)` (whole-row
 * results, called by every invocation of the workgroup in uniform control flow) and `isnan_(v)`, `max_nan(a, b)`.
 * Writes of whole-row values must be guarded by `lane == 0u`.
 */
export function rowKernel(rows: number, n: number, inner: number, decls: string, body: string): RowKernel {
  const group = n > SHORT_ROW;
  const wg = group ? Math.min(256, Math.max(32, 2 ** Math.ceil(Math.log2(n / 4)))) : THREAD_WG;
  const workgroups = group ? linearGroups(rows, 1) : linearGroups(rows, THREAD_WG);
  const reducers = group
    ? `var<workgroup> red: array<f32, ${wg}>;
var<private> lane_: u32;
fn reduce_(v: f32, is_max: bool) -> f32 {
  red[lane_] = v;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (lane_ < s) { let b = red[lane_ + s]; red[lane_] = select(red[lane_] + b, max_nan(red[lane_], b), is_max); }
    workgroupBarrier();
  }
  return workgroupUniformLoad(&red[0]);
}
fn reduce_max(v: f32) -> f32 { return reduce_(v, true); }
fn reduce_sum(v: f32) -> f32 { return reduce_(v, false); }`
    : `fn reduce_max(v: f32) -> f32 { return v; }
fn reduce_sum(v: f32) -> f32 { return v; }`;
  const base = inner === 1 ? `row * ${n}u` : `(row / ${inner}u) * ${n * inner}u + row % ${inner}u`;
  const code = `${F32_SPECIALS_WGSL}
fn max_nan(a: f32, b: f32) -> f32 { return select(a, b, b > a || isnan_(b)); }
${decls}
${reducers}
const N = ${n}u;
const STRIDE = ${group ? wg : 1}u;
@compute @workgroup_size(${group ? wg : THREAD_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = ${group ? `wid.y * ${workgroups[0]}u + wid.x` : linearIndex(THREAD_WG, workgroups[0])};
  if (row >= ${rows}u) { return; }
  let lane = ${group ? 'lid' : '0u'};
  ${group ? 'lane_ = lid;' : ''}
  let base = ${base};
${body}
}`;
  return { code, workgroups };
}

/** [outer, n, inner] view of `shape` around `axis`. */
function view(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

function softmaxKernel(log: boolean): WebGpuKernel {
  return (node, [x], ctx) => {
    const o = ctx.alloc(node.size, 'f32');
    const [outer, n, inner] = view(node.shape, node.attrs.axis as number);
    if (node.size === 0) return o;
    const write = log ? 'x[base + k * INNER] - m - ls' : 'exp(x[base + k * INNER] - m) / s';
    const { code, workgroups } = rowKernel(outer * inner, n, inner, `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
const INNER = ${inner}u;`, `  var m = bitcast<f32>(NEG_INF_BITS);
  for (var k = lane; k < N; k += STRIDE) { m = max_nan(m, x[base + k * INNER]); }
  m = reduce_max(m);
  var s = 0.0;
  for (var k = lane; k < N; k += STRIDE) { s += exp(x[base + k * INNER] - m); }
  s = reduce_sum(s);
  ${log ? 'let ls = log(s);' : ''}
  for (var k = lane; k < N; k += STRIDE) { out[base + k * INNER] = ${write}; }`);
    ctx.dispatch({ kernel: node.op, code, bindings: [x!, o], workgroups });
    return o;
  };
}

/** Fused softmax kernels by composite op name. */
export const SOFTMAX_KERNELS: Readonly<Record<string, WebGpuKernel>> = {
  softmax: softmaxKernel(false),
  log_softmax: softmaxKernel(true),
};
