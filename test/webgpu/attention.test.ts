// The fused WebGPU causal_attention, rope and kv_cache_update kernels on random data against the CPU backend's
// decomposition (fused: false): GQA, decode with per-row start/lengths over 600 keys, prefill over 130 keys (not a
// multiple of the 64-key tile), padding and -Inf masks, fully masked rows, head dims 64/48, >65535 query rows, and
// rope at positions up to 4000. Attention compares with the f64 CPU run, rope with the f32 one (same f32 angles).
import test, { type ExecutionContext } from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';
import type { HostData } from '../../core/tensor/dtype.js';
import { causalAttention, kvCacheUpdate } from '../../core/tensor/composites/attention.js';
import { rope, type RopeConvention } from '../../core/tensor/composites/rope.js';
import { evaluate } from '../../core/tensor/evaluate.js';
import { input } from '../../core/tensor/primitives.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { gatedTest, webgpuSkipReason } from './webgpu-available.js';

const skip = await webgpuSkipReason();
const gpu = new WebGpuBackend();
const cpu64 = new CpuBackend({ precision: 'f64', fused: false });
const cpu32 = new CpuBackend({ fused: false });
let ready: Promise<void> | undefined;
const gpuTest = (title: string, fn: (t: ExecutionContext) => Promise<void>): void => gatedTest(skip, title, async (t) => {
  ready ??= gpu.init();
  await ready;
  await fn(t);
});

/** Deterministic uniform values in [lo, hi). */
function random(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let h = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    h = (Math.imul(h, 1664525) + 1013904223) >>> 0;
    return lo + (hi - lo) * (h / 2 ** 32);
  });
}

/** Largest |a - b|; Infinity where one is NaN and the other is not. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    if (!Number.isNaN(x)) m = Math.max(m, Math.abs(x - y));
  }
  return m;
}

type Feeds = Record<string, HostData>;

/** Runs `out` on the fused WebGPU backend and on `ref`; returns both. */
async function both(out: Tensor, feeds: Feeds, ref: CpuBackend): Promise<[Float32Array, ArrayLike<number>]> {
  const [got] = await evaluate(gpu, [out], feeds);
  const [want] = await evaluate(ref, [out], feeds);
  return [got as Float32Array, want!];
}

interface AttnCase {
  b: number; hq: number; hkv: number; t: number; s: number; d: number; dv: number;
  causal?: boolean; start?: number[]; lengths?: number[]; mask?: { shape: number[]; data: Float32Array };
}

/** Builds the attention graph of `c` with random q, k, v (q scaled by 3 for peaky rows) and its feeds. */
function attention(c: AttnCase, seed: number): { out: Tensor; feeds: Feeds } {
  const q = input('q', [c.b, c.hq, c.t, c.d]), k = input('k', [c.b, c.hkv, c.s, c.d]), v = input('v', [c.b, c.hkv, c.s, c.dv]);
  const feeds: Feeds = { q: random(q.size, seed, -3, 3), k: random(k.size, seed + 1), v: random(v.size, seed + 2) };
  const opt: Parameters<typeof causalAttention>[3] = { causal: c.causal ?? true };
  if (c.start) { opt.start = input('start', [c.b], 'i32'); feeds.start = Int32Array.from(c.start); }
  if (c.lengths) { opt.lengths = input('lengths', [c.b], 'i32'); feeds.lengths = Int32Array.from(c.lengths); }
  if (c.mask) { opt.mask = input('mask', c.mask.shape); feeds.mask = c.mask.data; }
  return { out: causalAttention(q, k, v, opt), feeds };
}

// Outputs are convex combinations of v in [-1, 1]: an error of e in the scores moves the weights by about e
// relatively, so |out error| <~ e + the f32 rounding of the softmax and the p*v sums (~ sqrt(S) * 6e-8). Scores are
// f32 dots of D <= 64 terms of size <= 3 scaled by 1/sqrt(D) (~1e-6 worst case). 1e-5 leaves 10x margin.
const ATTN_TOL = 1e-5;

async function checkAttention(t: ExecutionContext, c: AttnCase, seed: number): Promise<Float32Array> {
  const { out, feeds } = attention(c, seed);
  const [got, want] = await both(out, feeds, cpu64);
  const d = maxDiff(got, want);
  t.log(`max |diff| ${d.toExponential(2)}`);
  t.true(d <= ATTN_TOL, `max |fused webgpu - cpu f64 decomposition| = ${d} (tolerance ${ATTN_TOL})`);
  return got;
}

gpuTest('attention: prefill T = S = 130, GQA 8 query / 2 kv heads, head dim 64', async (t) => {
  await checkAttention(t, { b: 2, hq: 8, hkv: 2, t: 130, s: 130, d: 64, dv: 64 }, 11);
});

gpuTest('attention: decode T = 1 over S = 600 with per-row start/lengths, head dim 48; a row with no key is uniform', async (t) => {
  const c: AttnCase = { b: 4, hq: 8, hkv: 2, t: 1, s: 600, d: 48, dv: 48, start: [599, 250, 10, 0], lengths: [600, 251, 5, 0] };
  const got = await checkAttention(t, c, 21);
  // Row b = 3 has lengths 0: every score is -1e9, so each head's output is the mean of its kv head's 600 v rows.
  const v = random(c.b * c.hkv * c.s * c.dv, 23);
  let worst = 0;
  for (let h = 0; h < c.hq; h++) {
    for (let j = 0; j < c.dv; j++) {
      let mean = 0;
      for (let s = 0; s < c.s; s++) mean += v[((3 * c.hkv + Math.floor(h / 4)) * c.s + s) * c.dv + j]!;
      worst = Math.max(worst, Math.abs(got[(3 * c.hq + h) * c.dv + j]! - mean / c.s));
    }
  }
  t.log(`fully masked row vs mean of v: ${worst.toExponential(2)}`);
  t.true(worst <= ATTN_TOL, `fully masked row vs mean of v: ${worst}`);
});

gpuTest('attention: padding mask [B,1,1,S] and a -Inf mask covering more than a whole key tile', async (t) => {
  const s = 150, mask = new Float32Array(2 * s);
  for (let j = 0; j < s; j++) {
    mask[j] = j >= 120 ? -1e9 : 0; // batch 0: last 30 keys are padding
    mask[s + j] = j < 90 ? -Infinity : 0; // batch 1: the first 90 keys (tile 0 and part of tile 1) are -Inf
  }
  await checkAttention(t, { b: 2, hq: 4, hkv: 2, t: 5, s, d: 48, dv: 32, causal: false, mask: { shape: [2, 1, 1, s], data: mask } }, 31);
});

gpuTest('attention: causal with an additive [T, S] mask, Dv 80 != D 64 (two accumulator slots)', async (t) => {
  const c: AttnCase = { b: 1, hq: 2, hkv: 1, t: 70, s: 70, d: 64, dv: 80, mask: { shape: [70, 70], data: random(70 * 70, 41, -2, 2) } };
  await checkAttention(t, c, 43);
});

gpuTest('attention: 66000 query rows (more than 65535 workgroups), mostly fully masked', async (t) => {
  // Default start S - T = -32997: rows t < 32997 see no key and are uniform; the last 3 rows see 1..3 keys.
  await checkAttention(t, { b: 1, hq: 2, hkv: 1, t: 33000, s: 3, d: 4, dv: 4 }, 51);
});

for (const convention of ['half', 'interleaved'] as RopeConvention[]) {
  gpuTest(`rope ${convention}: positions [B, T] up to 4000, head dim 64`, async (t) => {
    const [b, h, tl, d] = [2, 3, 50, 64];
    const x = input('x', [b, h, tl, d]), pos = input('pos', [b, tl], 'i32'), inv = input('inv', [d / 2]);
    const positions = Int32Array.from({ length: b * tl }, (_, i) => Math.round((i * 4000) / (b * tl - 1)));
    const invFreq = Float32Array.from({ length: d / 2 }, (_, i) => 10000 ** (-2 * i / d));
    const feeds = { x: random(x.size, 61), pos: positions, inv: invFreq };
    const [got, want] = await both(rope(x, pos, { convention, invFreq: inv }), feeds, cpu32);
    // Both round the angle f32(pos) * invFreq to f32; the CPU takes f64 sin/cos of it, the kernel f32 ones
    // (measured <= 1e-7 off on llvmpipe up to angle 32768); each output adds two products of |x| <= 1, so
    // |diff| <= ~2 * (1e-7 + 6e-8) plus rounding: 1e-6.
    const diff = maxDiff(got, want);
    t.log(`max |diff| ${diff.toExponential(2)}`);
    t.true(diff <= 1e-6, `max |fused webgpu - cpu f32 decomposition| = ${diff}`);
  });
}

gpuTest('kv_cache_update: rows start[b] + t replaced, rows outside [0, L) dropped, exact', async (t) => {
  const [b, h, l, d, tn] = [3, 2, 10, 5, 4];
  const cache = input('cache', [b, h, l, d]), x = input('x', [b, h, tn, d]), start = input('start', [b], 'i32');
  const feeds = { cache: random(cache.size, 71), x: random(x.size, 72), start: Int32Array.from([0, 8, -2]) };
  const [got, want] = await both(kvCacheUpdate(cache, x, start), feeds, cpu32);
  t.deepEqual(Array.from(got), Array.from(want));
  t.is(got[((1 * h + 1) * l + 9) * d + 2], feeds.x[((1 * h + 1) * tn + 1) * d + 2], 'b=1: cache row 9 holds new row 1');
  t.is(got[((2 * h) * l + 3) * d], feeds.cache[((2 * h) * l + 3) * d], 'b=2: cache row 3 (new row 5) is kept');
});

if (!skip) test.after.always(() => { gpu.dispose(); });
