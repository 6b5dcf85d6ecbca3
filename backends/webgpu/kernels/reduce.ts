// WebGPU kernels for reduce_sum / reduce_max / reduce_mean over one axis (kept as size 1), the input viewed as
// [outer, n, inner]. Short axes (n < 64) use one invocation per output looping in order; long ones one workgroup per
// output: strided partial sums per invocation, then a tree in workgroup memory. max propagates NaN; mean = sum / n.
import { F32_SPECIALS_WGSL, linearGroups, linearKernel, wgslType, type WebGpuKernel } from './kernel.js';

/** Axes at least this long use the workgroup tree reduction. */
const TREE_MIN = 64;
const WG = 256;

/** WGSL `combine_(a, b)` and `finish_(acc)` for an op and element type. */
function ops(op: string, t: 'f32' | 'i32', n: number): string {
  const combine = op !== 'reduce_max' ? 'a + b'
    : t === 'i32' ? 'max(a, b)' : 'select(max(a, b), bitcast<f32>(NAN_BITS), isnan_(a) || isnan_(b))';
  return `${F32_SPECIALS_WGSL}
fn combine_(a: ${t}, b: ${t}) -> ${t} { return ${combine}; }
fn finish_(acc: ${t}) -> ${t} { return ${op === 'reduce_mean' ? `acc / ${t}(${n})` : 'acc'}; }`;
}

/** reduce_sum, reduce_max, reduce_mean. */
const reduceKernel: WebGpuKernel = (node, [x], ctx) => {
  const shape = node.inputs[0]!.shape;
  const axis = node.attrs.axis as number;
  let outer = 1, inner = 1;
  for (let a = 0; a < axis; a++) outer *= shape[a]!;
  for (let a = axis + 1; a < shape.length; a++) inner *= shape[a]!;
  const n = shape[axis]!, count = outer * inner;
  const t = wgslType(node.dtype);
  if (count === 0) return ctx.alloc(0, node.dtype);
  if (n === 0) return ctx.zeros(count, node.dtype); // only reduce_sum allows an empty axis: the sum is 0
  const o = ctx.alloc(count, node.dtype);
  const head = `${ops(node.op, t, n)}
@group(0) @binding(0) var<storage, read> x: array<${t}>;
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;`;
  // Element k of output o's run starts at base(o) = (o / inner) * n * inner + o % inner, stride inner.
  const base = inner === 1 ? `o * ${n}u` : `(o / ${inner}u) * ${n * inner}u + o % ${inner}u`;
  if (n < TREE_MIN) {
    const { code, groups } = linearKernel(count, head, `  let o = i;
  let b = ${base};
  var acc = x[b];
  for (var k = 1u; k < ${n}u; k++) { acc = combine_(acc, x[b + k * ${inner}u]); }
  out[o] = finish_(acc);`, WG);
    ctx.dispatch({ kernel: node.op, code, bindings: [x!, o], workgroups: groups });
    return o;
  }
  // One workgroup per output; wg <= n, so every invocation starts from a real element.
  let wg = 1;
  while (wg * 2 <= Math.min(WG, n)) wg *= 2;
  const groups = linearGroups(count, 1);
  const code = `${head}
var<workgroup> part: array<${t}, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.y * ${groups[0]}u + wid.x;
  if (o >= ${count}u) { return; }
  let b = ${base};
  var acc = x[b + lid * ${inner}u];
  for (var k = lid + ${wg}u; k < ${n}u; k += ${wg}u) { acc = combine_(acc, x[b + k * ${inner}u]); }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] = combine_(part[lid], part[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) { out[o] = finish_(part[0]); }
}`;
  ctx.dispatch({ kernel: node.op, code, bindings: [x!, o], workgroups: groups });
  return o;
};

/** Reduce kernels by op name. */
export const REDUCE_KERNELS: Readonly<Record<string, WebGpuKernel>> = {
  reduce_sum: reduceKernel, reduce_max: reduceKernel, reduce_mean: reduceKernel,
};
