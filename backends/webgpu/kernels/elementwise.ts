// WebGPU kernels for unary, binary (numpy broadcasting), comparison and where ops, iota and cast: one invocation per
// output element; broadcast operands are indexed through strides baked into the source (0 on broadcast axes).
// Functions whose WGSL builtins leave edge cases undefined (pow of a negative base, tanh of large |x|, max/min with
// NaN, f32 -> i32 of NaN or out of range) are written out so results match the CPU reference.
import type { Tensor } from '../../../core/tensor/tensor.js';
import { F32_SPECIALS_WGSL, linearKernel, stridesOf, wgslType, type WebGpuKernel } from './kernel.js';


const UNARY_F32: Record<string, string> = {
  neg: '-x', abs: 'abs(x)', exp: 'exp(x)', log: 'log(x)', sqrt: 'sqrt(x)', reciprocal: '1.0 / x',
  tanh: 'tanh_(x)', sigmoid: '1.0 / (1.0 + exp(-x))', sin: 'sin(x)', cos: 'cos(x)',
};
const UNARY_I32: Record<string, string> = { neg: '-x', abs: 'abs(x)' };

const BINARY: Record<string, (t: 'f32' | 'i32') => string> = {
  add: () => 'a + b', sub: () => 'a - b', mul: () => 'a * b', div: () => 'a / b', pow: () => 'pow_(a, b)',
  max: (t) => (t === 'f32' ? 'max_(a, b)' : 'max(a, b)'), min: (t) => (t === 'f32' ? 'min_(a, b)' : 'min(a, b)'),
  less: () => 'f32(a < b)', less_equal: () => 'f32(a <= b)', greater: () => 'f32(a > b)',
  greater_equal: () => 'f32(a >= b)', equal: () => 'f32(a == b)',
};

/** Helper functions with IEEE edge cases spelled out (only the ones a kernel calls are referenced). */
const HELPERS = `${F32_SPECIALS_WGSL}
fn tanh_(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); let t = (1.0 - e) / (1.0 + e); return select(t, -t, x < 0.0); }
fn max_(a: f32, b: f32) -> f32 { if (isnan_(a) || isnan_(b)) { return bitcast<f32>(NAN_BITS); } return max(a, b); }
fn min_(a: f32, b: f32) -> f32 { if (isnan_(a) || isnan_(b)) { return bitcast<f32>(NAN_BITS); } return min(a, b); }
// m^e by repeated squaring: ~log2(e) roundings, where exp2(e * log2(m)) loses ~|e log2 m| ulps (AdamW's 0.999^t).
fn powi_(m: f32, e: u32) -> f32 {
  var r = 1.0;
  var x = m;
  var k = e;
  loop { if (k == 0u) { break; } if ((k & 1u) == 1u) { r = r * x; } x = x * x; k = k >> 1u; }
  return r;
}
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_(a) || isnan_(b)) { return bitcast<f32>(NAN_BITS); }
  let m = abs(a);
  var r: f32;
  if (m == 0.0) { r = select(0.0, bitcast<f32>(POS_INF_BITS), b < 0.0); }
  else if (m == 1.0 && abs(b) == bitcast<f32>(POS_INF_BITS)) { r = 1.0; }
  else if (fract(b) == 0.0 && abs(b) < 16777216.0) { r = powi_(m, u32(abs(b))); if (b < 0.0) { r = 1.0 / r; } }
  else { r = exp2(b * log2(m)); }
  if (a < 0.0 || (a == 0.0 && bitcast<u32>(a) != 0u)) {
    let odd = abs(b) < 16777216.0 && fract(b) == 0.0 && fract(b * 0.5) != 0.0;
    if (fract(b) != 0.0 && abs(b) != bitcast<f32>(POS_INF_BITS)) { if (m != 0.0) { return bitcast<f32>(NAN_BITS); } }
    if (odd) { return -r; }
  }
  return r;
}`;

/** WGSL offset into an operand of shape `inShape` for output element `i` of shape `outShape` (broadcasting). */
export function broadcastOffset(inShape: readonly number[], outShape: readonly number[], i = 'i'): string {
  const rank = outShape.length, pad = rank - inShape.length;
  const outStrides = stridesOf(outShape), inStrides = stridesOf(inShape);
  const terms: string[] = [];
  for (let a = 0; a < rank; a++) {
    const dim = a - pad < 0 ? 1 : inShape[a - pad]!;
    if (dim === 1 || outShape[a] === 1) continue;
    terms.push(`((${i} / ${outStrides[a]}u) % ${outShape[a]}u) * ${inStrides[a - pad]}u`);
  }
  return terms.length === 0 ? '0u' : terms.join(' + ');
}

function same(a: Tensor, out: Tensor): boolean {
  return a.size === out.size && a.shape.length === out.shape.length && a.shape.every((d, k) => d === out.shape[k]);
}

/** An elementwise kernel source over `n` outputs: `fns` WGSL functions, `reads` operand (type, index expression) pairs. */
function elementwise(n: number, out: 'f32' | 'i32', reads: Array<{ type: 'f32' | 'i32'; at: string }>, body: string, fns = ''): { code: string; groups: [number, number, number] } {
  const decls = reads.map((r, k) => `@group(0) @binding(${k}) var<storage, read> in${k}: array<${r.type}>;`).join('\n');
  return linearKernel(n, `${HELPERS}
${fns}${decls}
@group(0) @binding(${reads.length}) var<storage, read_write> out: array<${out}>;`, `${reads.map((r, k) => `  let v${k} = in${k}[${r.at}];`).join('\n')}
  out[i] = ${body};`);
}

/** Unary elementwise ops. */
export const unaryKernel: WebGpuKernel = (node, [x], ctx) => {
  const table = node.dtype === 'i32' ? UNARY_I32 : UNARY_F32;
  const expr = table[node.op];
  if (!expr) throw new Error(`no ${node.dtype} kernel for unary '${node.op}'`);
  const o = ctx.alloc(node.size, node.dtype);
  const t = wgslType(node.dtype);
  const { code, groups } = elementwise(node.size, t, [{ type: t, at: 'i' }], 'unary_(v0)', `fn unary_(x: ${t}) -> ${t} { return ${expr}; }\n`);
  ctx.dispatch({ kernel: node.op, code, bindings: [x!, o], workgroups: groups });
  return o;
};

/** Binary elementwise ops and comparisons (comparisons write f32 1/0). */
export const binaryKernel: WebGpuKernel = (node, [a, b], ctx) => {
  const [ta, tb] = node.inputs as [Tensor, Tensor];
  const t = wgslType(ta.dtype);
  const o = ctx.alloc(node.size, node.dtype);
  const at = (x: Tensor): string => (same(x, node) ? 'i' : broadcastOffset(x.shape, node.shape));
  const fn = `fn binary_(a: ${t}, b: ${t}) -> ${wgslType(node.dtype)} { return ${BINARY[node.op]!(t)}; }\n`;
  const { code, groups } = elementwise(node.size, wgslType(node.dtype), [{ type: t, at: at(ta) }, { type: t, at: at(tb) }], 'binary_(v0, v1)', fn);
  ctx.dispatch({ kernel: node.op, code, bindings: [a!, b!, o], workgroups: groups });
  return o;
};

/** where(cond, a, b) with broadcasting: cond != 0 picks a. */
export const whereKernel: WebGpuKernel = (node, [c, a, b], ctx) => {
  const [tc, ta, tb] = node.inputs as [Tensor, Tensor, Tensor];
  const t = wgslType(node.dtype);
  const o = ctx.alloc(node.size, node.dtype);
  const at = (x: Tensor): string => (same(x, node) ? 'i' : broadcastOffset(x.shape, node.shape));
  const { code, groups } = elementwise(node.size, t, [{ type: 'f32', at: at(tc) }, { type: t, at: at(ta) }, { type: t, at: at(tb) }], 'select(v2, v1, v0 != 0.0)');
  ctx.dispatch({ kernel: 'where', code, bindings: [c!, a!, b!, o], workgroups: groups });
  return o;
};

/** iota: 0..n-1 in f32 or i32. */
export const iotaKernel: WebGpuKernel = (node, _inputs, ctx) => {
  const t = wgslType(node.dtype);
  const o = ctx.alloc(node.size, node.dtype);
  const { code, groups } = linearKernel(node.size, `@group(0) @binding(0) var<storage, read_write> out: array<${t}>;`, `  out[i] = ${t}(i);`);
  ctx.dispatch({ kernel: 'iota', code, bindings: [o], workgroups: groups });
  return o;
};

/** cast: f32 -> i32 truncates toward zero (NaN -> 0, out of range saturates); i32 -> f32 rounds to nearest. */
export const castKernel: WebGpuKernel = (node, [x], ctx) => {
  const from = wgslType(node.inputs[0]!.dtype), to = wgslType(node.dtype);
  const o = ctx.alloc(node.size, node.dtype);
  const body = from === to ? 'v0' : to === 'i32' ? 'select(i32(clamp(v0, -2147483648.0, 2147483520.0)), 0, isnan_(v0))' : 'f32(v0)';
  const { code, groups } = elementwise(node.size, to, [{ type: from, at: 'i' }], body);
  ctx.dispatch({ kernel: 'cast', code, bindings: [x!, o], workgroups: groups });
  return o;
};
