// Fused ONNX lowerings of the composites that have no backward of their own (rms_norm, silu, rope,
// kv_cache_update, causal_attention). The backend uses them only in graphs that do not also compute their
// decomposition (forward-only graphs: inference, export), see fusion-check.ts. Each computes what the
// decomposition in core/tensor/composites computes (exactly for the data movement, to float rounding for the
// arithmetic), in fewer ONNX nodes; tables shared by several nodes (RoPE angles, masks, cache indices) are built
// once per graph.
import type { OnnxGraphBuilder } from './graph-builder.js';
import { attr } from './graph-builder.js';
import type { Lowering } from './lower-primitives.js';
import { OnnxType } from './onnx-model.js';

/** Score of masked-out keys, as in core/tensor/composites/attention.ts (finite: a fully masked row is uniform). */
const MASKED_SCORE = -1e9;

const i32 = (b: OnnxGraphBuilder, dims: readonly number[], values: readonly number[]): string =>
  b.constant(OnnxType.INT32, dims, Int32Array.from(values));
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

// cos and sign-folded sin of the angles pos * invFreq, laid out over the head dimension `d` like the rotation
// pairs of `convention`; [T, d] for positions [T], [B, 1, T, d] for positions [B, T]. Shared by every rope node
// with the same positions and frequencies.
function ropeTables(b: OnnxGraphBuilder, pos: string, posShape: readonly number[], inv: string, d: number, interleaved: boolean): [string, string] {
  const key = `rope|${pos}|${inv}|${d}|${interleaved}`;
  const h = d / 2;
  const ang = b.memo(`${key}|ang`, () => {
    const pick = interleaved ? range(d).map((i) => i >> 1) : range(d).map((i) => i % h);
    const freq = b.op('Gather', [inv, i32(b, [d], pick)], [attr.int('axis', 0)]); // [d]
    const p = b.op('Unsqueeze', [b.op('Cast', [pos], [attr.int('to', OnnxType.FLOAT)]), b.i64([-1])]);
    const a = b.op('Mul', [p, freq]); // [T, d] or [B, T, d]
    return posShape.length === 2 ? b.reshape(a, [posShape[0]!, 1, posShape[1]!, d]) : a;
  });
  const signs = Float32Array.from(range(d), (i) => (interleaved ? (i % 2 === 0 ? -1 : 1) : (i < h ? -1 : 1)));
  return [
    b.memo(`${key}|cos`, () => b.op('Cos', [ang])),
    b.memo(`${key}|sin`, () => b.op('Mul', [b.op('Sin', [ang]), b.constant(OnnxType.FLOAT, [d], signs)])),
  ];
}

// Bool mask of the keys each query may see, [m, tt, S] (m = B with start or lengths, else 1; tt = T when causal,
// else 1), as in the decomposition: key <= query position (start[b] + t, or S - T + t), key < lengths[b].
function attentionMask(b: OnnxGraphBuilder, start: string | undefined, lengths: string | undefined, batch: number, t: number, s: number, causal: boolean): string | undefined {
  if (!causal && !lengths) return undefined;
  return b.memo(`attmask|${start}|${lengths}|${batch}|${t}|${s}|${causal}`, () => {
    const kpos = i32(b, [1, 1, s], range(s));
    let allowed: string | undefined;
    if (causal) {
      const qpos = start ? b.op('Add', [b.reshape(start, [batch, 1, 1]), i32(b, [1, t, 1], range(t))]) : i32(b, [1, t, 1], range(t, s - t));
      allowed = b.op('LessOrEqual', [kpos, qpos]);
    }
    if (lengths) {
      const inLen = b.op('Less', [kpos, b.reshape(lengths, [batch, 1, 1])]);
      allowed = allowed ? b.op('And', [allowed, inLen]) : inLen;
    }
    return allowed!;
  });
}

// com.microsoft RotaryEmbedding on x [B, H, T, D]: its cos/sin caches are the angles of this run's positions,
// one row per (b, t) — [B*T, D/2] for positions [B, T], [T, D/2] for [T] — and position_ids index those rows.
function ropeContrib({ b, node, ins }: Parameters<Lowering>[0]): string {
  const [batch, , t, d] = node.shape as [number, number, number, number];
  const pos = ins[1]!, inv = ins[2]!, perRow = node.inputs[1]!.rank === 2;
  const key = `rope-ms|${pos}|${inv}|${batch}|${t}`;
  const ang = b.memo(`${key}|ang`, () => {
    const p = b.op('Cast', [pos], [attr.int('to', OnnxType.FLOAT)]);
    // Positions [B, 1] times invFreq [D/2] is already [B*T, D/2] for one token per row.
    if (perRow && t === 1) return b.op('Mul', [p, inv]);
    return b.reshape(b.op('Mul', [b.op('Unsqueeze', [p, b.i64([-1])]), inv]), [perRow ? batch * t : t, d / 2]);
  });
  const cos = b.memo(`${key}|cos`, () => b.op('Cos', [ang]));
  const sin = b.memo(`${key}|sin`, () => b.op('Sin', [ang]));
  const ids = BigInt64Array.from(range(batch * t), (i) => BigInt(perRow ? i : i % t));
  b.useOpset('com.microsoft', 1);
  return b.op('RotaryEmbedding', [ins[0]!, b.constant(OnnxType.INT64, [batch, t], ids), cos, sin],
    [attr.int('interleaved', node.attrs.convention === 'interleaved' ? 1 : 0)], 'com.microsoft');
}

/** Fused lowerings of the forward-only composites, by name. */
export const INFERENCE_LOWERINGS: Readonly<Record<string, Lowering>> = {
  // x / sqrt(mean(x^2) + eps) * w: the pattern onnxruntime fuses into one SimplifiedLayerNormalization.
  rms_norm: ({ b, node, ins }) => {
    const mean = b.op('ReduceMean', [b.op('Pow', [ins[0]!, b.scalar(2, 'f32')])], [attr.ints('axes', [-1]), attr.int('keepdims', 1)]);
    const rms = b.op('Sqrt', [b.op('Add', [mean, b.scalar(node.attrs.eps as number, 'f32')])]);
    return b.op('Mul', [b.op('Div', [ins[0]!, rms]), ins[1]!]);
  },
  silu: ({ b, ins }) => b.op('Mul', [ins[0]!, b.op('Sigmoid', ins)]),
  // x * cos + pairSwap(x) * (+-sin): the decomposition's x1*c - x2*s, x2*c + x1*s with the pair partner gathered;
  // with onnxruntime's contrib ops, one RotaryEmbedding node (see ropeContrib).
  rope: (ctx) => {
    const { b, node, ins } = ctx;
    if (b.contrib && node.rank === 4) return ropeContrib(ctx);
    const d = node.shape[node.shape.length - 1]!, h = d / 2;
    const interleaved = node.attrs.convention === 'interleaved';
    const [cos, sin] = ropeTables(b, ins[1]!, node.inputs[1]!.shape, ins[2]!, d, interleaved);
    const partner = interleaved ? range(d).map((i) => i ^ 1) : range(d).map((i) => (i + h) % d);
    const swapped = b.op('Gather', [ins[0]!, i32(b, [d], partner)], [attr.int('axis', -1)]);
    return b.op('Add', [b.op('Mul', [ins[0]!, cos]), b.op('Mul', [swapped, sin])]);
  },
  // One new row: ScatterND of the row at (b, h, start[b]) (a copy of the cache plus the rows; far cheaper in
  // onnxruntime than a broadcasting Where over the cache). ScatterND rejects indices outside [0, L), so the index
  // is clamped and a row whose start is outside writes back the value already there (it is dropped). Several
  // rows: the decomposition's one-hot scatter.
  kv_cache_update: ({ b, node, ins }) => {
    const [cache, x, start] = ins as [string, string, string];
    const [batch, heads, l] = node.inputs[0]!.shape as [number, number, number];
    const t = node.inputs[1]!.shape[2]!;
    if (t === 1) {
      const at = `kvrow|${start}|${batch}|${heads}|${l}`;
      const index = b.memo(`${at}|index`, () => {
        const clamped = b.op('Max', [b.op('Min', [start, b.scalar(l - 1, 'i32')]), b.scalar(0, 'i32')]);
        const pos = b.op('Expand', [b.reshape(b.op('Cast', [clamped], [attr.int('to', OnnxType.INT64)]), [batch, 1, 1, 1]), b.i64([batch, heads, 1, 1])]);
        const bh = BigInt64Array.from(range(batch * heads * 2), (i) => BigInt(i % 2 === 0 ? Math.floor(i / (2 * heads)) : (i >> 1) % heads));
        return b.op('Concat', [b.constant(OnnxType.INT64, [batch, heads, 1, 2], bh), pos], [attr.int('axis', -1)]); // [B, H, 1, 3]
      });
      const inside = b.memo(`${at}|inside`, () => b.reshape(b.op('And', [
        b.op('GreaterOrEqual', [start, b.scalar(0, 'i32')]), b.op('Less', [start, b.scalar(l, 'i32')])]), [batch, 1, 1, 1]));
      const row = b.op('Where', [inside, x, b.op('GatherND', [cache, index])]);
      return b.op('ScatterND', [cache, index, row]);
    }
    const pos = b.op('Add', [b.reshape(start, [batch, 1, 1]), i32(b, [1, t, 1], range(t))]); // [B, T, 1]
    const onehot = b.op('Cast', [b.op('Equal', [i32(b, [1, 1, l], range(l)), pos])], [attr.int('to', OnnxType.FLOAT)]); // [B, T, L]
    const written = b.op('Cast', [b.reshape(b.op('ReduceSum', [onehot, b.i64([1])], [attr.int('keepdims', 1)]), [batch, 1, l, 1])], [attr.int('to', OnnxType.BOOL)]);
    const scattered = b.op('MatMul', [b.reshape(b.op('Transpose', [onehot], [attr.ints('perm', [0, 2, 1])]), [batch, 1, l, t]), x]);
    return b.op('Where', [written, scattered, cache]);
  },
  // softmax(q k^T * scale masked) v with the g query heads of a kv head as extra rows; masks are built once.
  causal_attention: ({ b, node, ins }) => {
    const [q, k, v, ...rest] = ins as string[];
    const a = node.attrs;
    const start = a.hasStart ? rest.shift() : undefined, lengths = a.hasLengths ? rest.shift() : undefined;
    const mask = a.hasMask ? rest.shift() : undefined;
    const [batch, hq, t, d] = node.inputs[0]!.shape as [number, number, number, number];
    const [, hkv, s] = node.inputs[1]!.shape as [number, number, number];
    const dv = node.shape[3]!, g = hq / hkv;
    const grouped = g === 1 ? q! : b.reshape(q!, [batch, hkv, g * t, d]);
    let scores = b.op('Mul', [b.op('MatMul', [grouped, b.op('Transpose', [k!], [attr.ints('perm', [0, 1, 3, 2])])]), b.scalar(a.scale as number, 'f32')]);
    const allowed = attentionMask(b, start, lengths, batch, t, s, a.causal as boolean);
    const m = start !== undefined || lengths !== undefined ? batch : 1, tt = a.causal ? t : 1;
    // [B, Hkv, g*T, S] serves as is when g or T is 1 and no additive mask needs the [B, Hq, T, S] layout.
    const flat = (g === 1 || t === 1) && !mask;
    if (!flat) scores = b.reshape(scores, [batch, hq, t, s]);
    if (allowed) scores = b.op('Where', [b.reshape(allowed, [m, 1, tt, s]), scores, b.scalar(MASKED_SCORE, 'f32')]);
    if (mask) scores = b.op('Add', [scores, mask]);
    let probs = b.op('Softmax', [scores], [attr.int('axis', -1)]);
    if (!flat) probs = b.reshape(probs, [batch, hkv, g * t, s]);
    const out = b.op('MatMul', [probs, v!]);
    return g === 1 ? out : b.reshape(out, [batch, hq, t, dv]);
  },
};
