// Fused WebGPU rope kernel: one invocation per rotated pair of x [..., T, D] (positions [T]) or [B, H, T, D]
// (positions [B, T]); it reads both elements of its pair once and writes both outputs. The angle is
// f32(position) * invFreq[i] rounded to f32 and rotated with its f32 sin/cos, as the decomposition in
// core/tensor/composites/rope.ts computes it ('half' pairs (i, i + D/2), 'interleaved' pairs (2i, 2i + 1)).
// sin/cos first reduce the angle by multiples of pi/2 (Cody-Waite, exact products), so large angles (position
// ~4000 and up) stay accurate to ~1e-7 even where a GPU's builtin sin/cos only promise accuracy within [-pi, pi].
import { f32Literal, linearGroups, linearIndex, type WebGpuKernel } from './kernel.js';

const WG = 256;

/** pi/2 split into three 8-bit parts and a remainder: k * part is exact in f32 for |k| < 2^16. */
const PIO2: number[] = ((): number[] => {
  const bits8 = (v: number): number => { const sc = 2 ** (7 - Math.floor(Math.log2(Math.abs(v)))); return Math.round(v * sc) / sc; };
  const c1 = 1.5703125, rem = Math.PI / 2 - c1, c2 = bits8(rem), c3 = bits8(rem - c2);
  return [c1, c2, c3, rem - c2 - c3];
})();

/** WGSL `sincos_(x) -> vec2f(sin x, cos x)`: reduced to [-pi/4, pi/4] for |x| < 65536, the builtins beyond. */
const SINCOS_WGSL = `fn sincos_(x: f32) -> vec2f {
  if (abs(x) >= 65536.0) { return vec2f(sin(x), cos(x)); }
  let k = round(x * ${f32Literal(2 / Math.PI)});
${PIO2.map((c, i) => `  ${i === 0 ? 'var r = x' : 'r = r'} - k * ${f32Literal(c)};`).join('\n')}
  let s = sin(r);
  let c = cos(r);
  switch (i32(k) & 3) {
    case 0: { return vec2f(s, c); }
    case 1: { return vec2f(c, -s); }
    case 2: { return vec2f(-s, -c); }
    default: { return vec2f(-c, s); }
  }
}`;

/** rope(x, positions, invFreq) with attrs.convention 'half' | 'interleaved'. */
const ropeKernel: WebGpuKernel = (node, [x, pos, inv], ctx) => {
  const xt = node.inputs[0]!, pt = node.inputs[1]!;
  const d = xt.shape[xt.rank - 1]!, t = xt.shape[xt.rank - 2]!, h = d / 2;
  const convention = node.attrs.convention === 'interleaved' ? 'interleaved' : 'half';
  const o = ctx.alloc(node.size, 'f32');
  const pairs = node.size / 2;
  if (pairs === 0) return o;
  // Row r = (flattened leading dims, t); positions [B, T] index by batch b = r / (H * T).
  const perBatch = pt.rank === 2 ? xt.shape[1]! * t : 0;
  const posAt = pt.rank === 2 ? `(r / ${perBatch}u) * ${t}u + r % ${t}u` : `r % ${t}u`;
  const [i1, i2] = convention === 'half' ? [`r * ${d}u + j`, `r * ${d}u + j + ${h}u`] : [`r * ${d}u + 2u * j`, `r * ${d}u + 2u * j + 1u`];
  const groups = linearGroups(pairs, WG);
  const code = `${SINCOS_WGSL}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> pos: array<i32>;
@group(0) @binding(2) var<storage, read> inv: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let p = ${linearIndex(WG, groups[0])};
  if (p >= ${pairs}u) { return; }
  let r = p / ${h}u;
  let j = p % ${h}u;
  let ang = f32(pos[${posAt}]) * inv[j];
  let sc = sincos_(ang);
  let s = sc.x;
  let c = sc.y;
  let a = x[${i1}];
  let b = x[${i2}];
  out[${i1}] = a * c - b * s;
  out[${i2}] = b * c + a * s;
}`;
  ctx.dispatch({ kernel: 'rope', code, bindings: [x!, pos!, inv!, o], workgroups: groups });
  return o;
};

/** Fused rope kernels by composite op name. */
export const ROPE_KERNELS: Readonly<Record<string, WebGpuKernel>> = { rope: ropeKernel };
