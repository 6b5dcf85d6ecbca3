// Composites causal_attention (GQA, optional start positions, per-row key lengths, additive mask) and
// kv_cache_update (write new keys/values into a fixed-size cache at i32 positions). Masks are built from
// iota + comparisons + where, so both lower to ONNX and WGSL.
import { compositeNode, defineComposite } from '../composite.js';
import { iota, scalar, where } from '../primitives.js';
import { GraphBuildError, broadcastsTo, fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { softmax } from './softmax.js';

/** Score given to masked-out keys: finite, so a fully masked row gives a uniform row instead of NaN. */
export const MASKED_SCORE = -1e9;

/** Options of `causalAttention`. */
export interface AttentionOptions {
  /** i32 `[B]`: absolute position of query row 0 per batch row (decode with a cache). Default `S - T`. */
  start?: Tensor;
  /** i32 `[B]`: keys at positions >= lengths[b] are masked (padding / unfilled cache). */
  lengths?: Tensor;
  /** f32 additive mask broadcastable to `[B, Hq, T, S]` (0 keeps, large negative drops). */
  mask?: Tensor;
  /** Score scale; default 1/sqrt(D). */
  scale?: number;
  /** Causal masking (key position <= query position). Default true. */
  causal?: boolean;
}

defineComposite({
  name: 'causal_attention',
  summary: 'softmax(q k^T * scale + masks) v with GQA; optional start [B], lengths [B], additive mask',
  apply(inputs, attrs) {
    const [q, k, v, ...rest] = inputs;
    const opt: AttentionOptions = { scale: attrs.scale as number, causal: attrs.causal as boolean };
    if (attrs.hasStart) opt.start = rest.shift();
    if (attrs.hasLengths) opt.lengths = rest.shift();
    if (attrs.hasMask) opt.mask = rest.shift();
    return causalAttention(q!, k!, v!, opt);
  },
  decompose(inputs, attrs) {
    const [q, k, v, ...rest] = inputs as Tensor[];
    const start = attrs.hasStart ? rest.shift() : undefined;
    const lengths = attrs.hasLengths ? rest.shift() : undefined;
    const mask = attrs.hasMask ? rest.shift() : undefined;
    const [b, hq, t, d] = q!.shape as [number, number, number, number];
    const [, hkv, s] = k!.shape as [number, number, number];
    const dv = v!.shape[3]!;
    const g = hq / hkv;
    // Query head h attends with kv head floor(h / g): group the g query heads of each kv head as extra rows.
    let scores = q!.reshape([b, hkv, g * t, d]).matmul(k!.transpose()).mul(attrs.scale as number).reshape([b, hq, t, s]);
    const kpos = iota(s).reshape([1, 1, s]);
    let allowed: Tensor | undefined;
    if (attrs.causal) {
      const qpos = (start ? start.reshape([b, 1, 1]) : scalar(s - t, 'i32')).add(iota(t).reshape([1, t, 1]));
      allowed = kpos.le(qpos); // [B or 1, T, S]
    }
    if (lengths) {
      const inLen = kpos.lt(lengths.reshape([b, 1, 1])); // [B, 1, S]
      allowed = allowed ? allowed.mul(inLen) : inLen;
    }
    if (allowed) scores = where(allowed.unsqueeze(1), scores, MASKED_SCORE);
    if (mask) scores = scores.add(mask);
    const probs = softmax(scores, -1);
    return probs.reshape([b, hkv, g * t, s]).matmul(v!).reshape([b, hq, t, dv]);
  },
});

defineComposite({
  name: 'kv_cache_update',
  summary: 'cache [B,H,L,D] with rows start[b] .. start[b]+T-1 replaced by new [B,H,T,D]',
  apply: (inputs) => kvCacheUpdate(inputs[0]!, inputs[1]!, inputs[2]!),
  decompose([cache, x, start]) {
    const [b, , l] = cache!.shape as [number, number, number];
    const t = x!.shape[2]!;
    const pos = start!.reshape([b, 1, 1]).add(iota(t).reshape([1, t, 1])); // [B, T, 1]
    const onehot = iota(l).reshape([1, 1, l]).eq(pos); // [B, T, L]
    const written = onehot.sum(1, true).reshape([b, 1, l, 1]);
    const scattered = onehot.transpose([0, 2, 1]).reshape([b, 1, l, t]).matmul(x!); // [B, H, L, D]
    return where(written, scattered, cache!);
  },
});

/**
 * Scaled dot-product attention with a causal mask. q `[B, Hq, T, D]`, k `[B, Hkv, S, D]`, v `[B, Hkv, S, Dv]`,
 * Hq a multiple of Hkv (GQA). Query row t sits at position start[b] + t; key s is visible when s <= that
 * position, s < lengths[b] (if given); `mask` is added to the scores. Returns `[B, Hq, T, Dv]`.
 */
export function causalAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const bad = (why: string): never => {
    throw new GraphBuildError(`causal_attention: ${why} (q ${fmt(q.shape)}, k ${fmt(k.shape)}, v ${fmt(v.shape)})`);
  };
  if ([q, k, v].some((x) => x.dtype !== 'f32' || x.rank !== 4)) bad('q, k, v must be f32 rank 4');
  const [b, hq, t, d] = q.shape as [number, number, number, number];
  const [kb, hkv, s, kd] = k.shape as [number, number, number, number];
  if (kb !== b || kd !== d) bad('k must be [B, Hkv, S, D] matching q');
  if (v.shape[0] !== b || v.shape[1] !== hkv || v.shape[2] !== s) bad('v must be [B, Hkv, S, Dv] matching k');
  if (hkv === 0 || hq % hkv !== 0) bad(`query heads ${hq} must be a multiple of kv heads ${hkv}`);
  const inputs = [q, k, v];
  const rowVec = (x: Tensor | undefined, what: string): void => {
    if (!x) return;
    if (x.dtype !== 'i32' || x.rank !== 1 || x.shape[0] !== b) bad(`${what} must be i32 [${b}], got ${x.dtype} ${fmt(x.shape)}`);
    inputs.push(x);
  };
  rowVec(options.start, 'start');
  rowVec(options.lengths, 'lengths');
  if (options.mask) {
    if (options.mask.dtype !== 'f32' || !broadcastsTo(options.mask.shape, [b, hq, t, s])) {
      bad(`mask ${options.mask.dtype} ${fmt(options.mask.shape)} must be f32 broadcastable to ${fmt([b, hq, t, s])}`);
    }
    inputs.push(options.mask);
  }
  const scale = options.scale ?? 1 / Math.sqrt(d);
  const attrs = {
    scale, causal: options.causal ?? true,
    hasStart: options.start !== undefined, hasLengths: options.lengths !== undefined, hasMask: options.mask !== undefined,
  };
  return compositeNode('causal_attention', inputs, attrs, [b, hq, t, v.shape[3]!], 'f32');
}

/**
 * Writes `x` `[B, H, T, D]` into `cache` `[B, H, L, D]` at rows start[b] + t (i32 `start` `[B]`) and returns the
 * new cache; rows outside [0, L) are dropped.
 */
export function kvCacheUpdate(cache: Tensor, x: Tensor, start: Tensor): Tensor {
  const ok = cache.dtype === 'f32' && x.dtype === 'f32' && cache.rank === 4 && x.rank === 4
    && x.shape[0] === cache.shape[0] && x.shape[1] === cache.shape[1] && x.shape[3] === cache.shape[3]
    && start.dtype === 'i32' && start.rank === 1 && start.shape[0] === cache.shape[0];
  if (!ok) {
    throw new GraphBuildError(`kv_cache_update: needs f32 cache [B,H,L,D], new [B,H,T,D] and i32 start [B]; got cache ${fmt(cache.shape)}, new ${x.dtype} ${fmt(x.shape)}, start ${start.dtype} ${fmt(start.shape)}`);
  }
  return compositeNode('kv_cache_update', [cache, x, start], {}, cache.shape, 'f32');
}
