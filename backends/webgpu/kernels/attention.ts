// Fused WebGPU kernels for causal_attention and kv_cache_update (core/tensor/composites/attention.ts). Attention
// runs one 64-invocation workgroup per query row (b, h, t) that streams its kv head's keys in tiles of 64 with an
// online softmax, so [B, Hq, T, S] never reaches global memory: per tile each invocation scores one key (serial f32
// dot with the row's q, kept in workgroup memory), the tile max updates the running max m, the tile's exp(score - m)
// go to workgroup memory, and each invocation rescales its slice of the Dv accumulator by exp(m_old - m) and adds
// p * v (coalesced over dv); the row sum l follows the same rescaling and the output is acc / l.
// Scores follow the decomposition: dot * scale, -1e9 where causal/lengths mask a key, then + mask. Without an
// additive mask the row only visits its allowed keys [0, kEnd): the masked ones would add exp(-1e9 - m), which is
// exactly 0 in f32 unless an allowed score is itself within ~100 of -1e9; a row with no allowed key visits all S
// keys at -1e9 (uniform output). A row whose scores are all -Inf (an additive -Inf mask) is NaN, as in softmax.
import { MASKED_SCORE } from '../../../core/tensor/composites/attention.js';
import { F32_SPECIALS_WGSL, f32Literal, linearGroups, linearIndex, stridesOf, type WebGpuKernel } from './kernel.js';

const WG = 64;

/**
 * causal_attention(q, k, v, [start], [lengths], [mask]) with attrs scale, causal, hasStart, hasLengths, hasMask.
 * Long because: two thirds of it is one WGSL shader (an online-softmax loop over key tiles); cut into pieces it
 * could no longer be read top to bottom as the program the GPU runs.
 */
const attentionKernel: WebGpuKernel = (node, inputs, ctx) => {
  const [q, k, v, ...rest] = inputs;
  const [qt, kt, vt, ...restT] = node.inputs;
  const [nb, hq, t, d] = qt!.shape as [number, number, number, number];
  const [, hkv, s] = kt!.shape as [number, number, number];
  const dv = vt!.shape[3]!;
  const a = node.attrs;
  const start = a.hasStart ? rest.shift() : undefined;
  const lengths = a.hasLengths ? rest.shift() : undefined;
  const mask = a.hasMask ? rest.shift() : undefined;
  const maskShape = a.hasMask ? restT[restT.length - 1]!.shape : [];
  const scale = typeof a.scale === 'number' ? a.scale : 1 / Math.sqrt(d);
  if (node.size === 0) return ctx.alloc(0, 'f32');
  if (s === 0) return ctx.zeros(node.size, 'f32'); // softmax over no keys times an empty v
  const o = ctx.alloc(node.size, 'f32');
  const rows = nb * hq * t, g = hq / hkv, nacc = Math.ceil(dv / WG);
  // The q row in workgroup memory when it fits next to the tile of probabilities; otherwise read from q directly.
  const sharedQ = (d + WG) * 4 <= ctx.limits.maxComputeWorkgroupStorageSize;
  const bindings = [q!, k!, v!];
  const decl = (name: string, type: string): string => `@group(0) @binding(${bindings.length - 1}) var<storage, read> ${name}: array<${type}>;`;
  const decls = ['q', 'k', 'v'].map((n, i) => `@group(0) @binding(${i}) var<storage, read> ${n}: array<f32>;`);
  if (start) { bindings.push(start); decls.push(decl('start', 'i32')); }
  if (lengths) { bindings.push(lengths); decls.push(decl('lengths', 'i32')); }
  let maskRow = '', maskS = '';
  if (mask) {
    bindings.push(mask); decls.push(decl('mask', 'f32'));
    const padded = [...Array<number>(4 - maskShape.length).fill(1), ...maskShape];
    const st = stridesOf(padded).map((x, i) => (padded[i] === 1 ? 0 : x));
    maskRow = `let maskRow = b * ${st[0]}u + h * ${st[1]}u + tq * ${st[2]}u;`;
    maskS = `score += mask[maskRow + key * ${st[3]}u];`;
  }
  bindings.push(o);
  const groups = linearGroups(rows, 1);
  const code = `${F32_SPECIALS_WGSL}
${decls.join('\n')}
@group(0) @binding(${bindings.length - 1}) var<storage, read_write> out: array<f32>;
${sharedQ ? `var<workgroup> qs: array<f32, ${Math.max(d, 1)}>;` : ''}
var<workgroup> ps: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * ${groups[0]}u + wid.x;
  if (row >= ${rows}u) { return; }
  let b = row / ${hq * t}u;
  let h = (row / ${t}u) % ${hq}u;
  let tq = row % ${t}u;
  let kOff = (b * ${hkv}u + h / ${g}u) * ${s * d}u;
  let vOff = (b * ${hkv}u + h / ${g}u) * ${s * dv}u;
  let qOff = row * ${d}u;
  ${sharedQ ? `for (var i = lid; i < ${d}u; i += ${WG}u) { qs[i] = q[qOff + i]; }` : ''}
  var kEnd = ${s};
  ${a.causal ? `kEnd = min(kEnd, ${start ? 'start[b]' : `${s - t}`} + i32(tq) + 1);` : ''}
  ${lengths ? 'kEnd = min(kEnd, lengths[b]);' : ''}
  kEnd = max(kEnd, 0);
  let nKeys = ${mask ? `${s}u` : `u32(select(${s}, kEnd, kEnd > 0))`};
  ${maskRow}
  let negInf = bitcast<f32>(NEG_INF_BITS);
  var m = negInf;
  var l = 0.0;
  var acc: array<f32, ${nacc}>;
  workgroupBarrier();
  for (var base = 0u; base < nKeys; base += ${WG}u) {
    let n = min(${WG}u, nKeys - base);
    let key = base + lid;
    var score = 0.0;
    if (lid < n) {
      if (i32(key) < kEnd) {
        var dot = 0.0;
        let kRow = kOff + key * ${d}u;
        for (var i = 0u; i < ${d}u; i++) { dot += ${sharedQ ? 'qs[i]' : 'q[qOff + i]'} * k[kRow + i]; }
        score = dot * ${f32Literal(scale)};
      } else {
        score = ${f32Literal(MASKED_SCORE)};
      }
      ${maskS}
      ps[lid] = score;
    }
    workgroupBarrier();
    var tileMax = negInf;
    for (var j = 0u; j < n; j++) { tileMax = max(tileMax, ps[j]); }
    let mNew = max(m, tileMax);
    let dead = mNew == negInf;
    let alpha = select(select(exp(m - mNew), 0.0, m == negInf), 1.0, dead);
    workgroupBarrier();
    if (lid < n) { ps[lid] = select(exp(score - mNew), 0.0, dead); }
    workgroupBarrier();
    for (var c = 0u; c < ${nacc}u; c++) { acc[c] *= alpha; }
    var sum = 0.0;
    for (var j = 0u; j < n; j++) {
      let p = ps[j];
      sum += p;
      let vRow = vOff + (base + j) * ${dv}u;
      for (var c = 0u; c < ${nacc}u; c++) {
        let col = lid + c * ${WG}u;
        if (col < ${dv}u) { acc[c] += p * v[vRow + col]; }
      }
    }
    l = l * alpha + sum;
    m = mNew;
    workgroupBarrier();
  }
  for (var c = 0u; c < ${nacc}u; c++) {
    let col = lid + c * ${WG}u;
    if (col < ${dv}u) { out[row * ${dv}u + col] = select(acc[c] / l, bitcast<f32>(NAN_BITS), l == 0.0); }
  }
}`;
  ctx.dispatch({ kernel: 'causal_attention', code, bindings, workgroups: groups });
  return o;
};

/** kv_cache_update(cache [B,H,L,D], x [B,H,T,D], start [B]): one invocation per cache element. */
const kvCacheUpdateKernel: WebGpuKernel = (node, [cache, x, start], ctx) => {
  const [, h, l, d] = node.shape as [number, number, number, number];
  const t = node.inputs[1]!.shape[2]!;
  const o = ctx.alloc(node.size, 'f32');
  if (node.size === 0) return o;
  const groups = linearGroups(node.size, 256);
  const code = `@group(0) @binding(0) var<storage, read> cache: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> start: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = ${linearIndex(256, groups[0])};
  if (i >= ${node.size}u) { return; }
  let bh = i / ${l * d}u;
  let r = i32((i / ${d}u) % ${l}u) - start[bh / ${h}u];
  if (r >= 0 && r < ${t}) {
    out[i] = x[(bh * ${t}u + u32(r)) * ${d}u + i % ${d}u];
  } else {
    out[i] = cache[i];
  }
}`;
  ctx.dispatch({ kernel: 'kv_cache_update', code, bindings: [cache!, x!, start!, o], workgroups: groups });
  return o;
};

/** Fused attention kernels by composite op name. */
export const ATTENTION_KERNELS: Readonly<Record<string, WebGpuKernel>> = {
  causal_attention: attentionKernel, kv_cache_update: kvCacheUpdateKernel,
};
