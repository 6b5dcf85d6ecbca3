// The Llama-family decoder as one ONNX graph with symbolic shapes and a KV cache in the layout optimum writes and
// transformers.js feeds: input_ids, attention_mask and position_ids (int64) plus past_key_values.{i}.key|value
// [batch_size, kv_heads, past_sequence_length, head_dim] in; logits and present.{i}.key|value (past ++ new on the
// sequence axis) out. Built node by node (the tensor-program lowering has static shapes).
import type { ModelConfig } from '../../core/model/checkpoint/model-config.js';
import type { HostParams } from '../../core/model/decoder-weights.js';
import { ropeFrequencies } from '../../core/model/rope-frequencies.js';
import { attr, OnnxGraphBuilder } from './graph-builder.js';
import { OnnxType, type OnnxModel } from './onnx-model.js';

/** Score of keys a query may not see: finite, so a row with nothing visible (left padding) stays a number. */
const MASKED_SCORE = -1e9;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Names of the graph's inputs and outputs, as optimum and transformers.js spell them. */
export const KV_NAMES = {
  pastKey: (i: number): string => `past_key_values.${i}.key`,
  pastValue: (i: number): string => `past_key_values.${i}.value`,
  presentKey: (i: number): string => `present.${i}.key`,
  presentValue: (i: number): string => `present.${i}.value`,
};

// The decoder graph under construction: the builder, the config and the shared per-run values.
interface Ctx {
  b: OnnxGraphBuilder;
  c: ModelConfig;
  params: HostParams;
  /** [B, 1, T, S] bool: the keys each query may see. */
  allowed: string;
  /** [B, 1, T, D] cos and sign-folded sin of the RoPE angles. */
  cos: string;
  sin: string;
}

// A weight as an initializer named after its parameter (decoder layout: projections [in, out]); its bytes are
// a view of the parameter's (no copy of a large model's weights).
function weight(ctx: Ctx, name: string): string {
  const p = ctx.params[name];
  if (p === undefined) throw new Error(`ONNX export: parameter '${name}' is missing`);
  const bytes = new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength);
  return ctx.b.memo(`w|${name}`, () => ctx.b.initializer(name, OnnxType.FLOAT, p.shape, bytes));
}

function linear(ctx: Ctx, x: string, prefix: string, bias: boolean): string {
  const y = ctx.b.op('MatMul', [x, weight(ctx, `${prefix}.weight`)]);
  return bias ? ctx.b.op('Add', [y, weight(ctx, `${prefix}.bias`)]) : y;
}

// x / sqrt(mean(x^2) + eps) * w over the last axis.
function rmsNorm(ctx: Ctx, x: string, name: string): string {
  const { b } = ctx;
  const mean = b.op('ReduceMean', [b.op('Pow', [x, b.scalar(2, 'f32')])], [attr.ints('axes', [-1]), attr.int('keepdims', 1)]);
  const rms = b.op('Sqrt', [b.op('Add', [mean, b.scalar(ctx.c.rmsNormEps, 'f32')])]);
  return b.op('Mul', [b.op('Div', [x, rms]), weight(ctx, name)]);
}

// RoPE tables from position_ids [B, T]: angles pos * invFreq laid out over the head dimension like the rotation
// pairs of the config's style, as [B, 1, T, D].
function ropeTables(b: OnnxGraphBuilder, c: ModelConfig, positionIds: string): [string, string] {
  const d = c.headDim, h = d / 2, interleaved = c.ropeStyle === 'interleaved';
  const inv = ropeFrequencies(c);
  const freq = Float32Array.from(range(d), (i) => inv[interleaved ? i >> 1 : i % h]!);
  const pos = b.op('Unsqueeze', [b.op('Cast', [positionIds], [attr.int('to', OnnxType.FLOAT)]), b.i64([1, 3])]); // [B, 1, T, 1]
  const ang = b.op('Mul', [pos, b.constant(OnnxType.FLOAT, [d], freq)]);
  const signs = Float32Array.from(range(d), (i) => (interleaved ? (i % 2 === 0 ? -1 : 1) : (i < h ? -1 : 1)));
  return [b.op('Cos', [ang]), b.op('Mul', [b.op('Sin', [ang]), b.constant(OnnxType.FLOAT, [d], signs)])];
}

// x [B, H, T, D] rotated: x * cos + partner(x) * (+-sin).
function rope(ctx: Ctx, x: string): string {
  const { b, c } = ctx;
  const d = c.headDim, h = d / 2;
  const partner = c.ropeStyle === 'interleaved' ? range(d).map((i) => i ^ 1) : range(d).map((i) => (i + h) % d);
  const swapped = b.op('Gather', [x, b.constant(OnnxType.INT64, [d], BigInt64Array.from(partner, BigInt))], [attr.int('axis', -1)]);
  return b.op('Add', [b.op('Mul', [x, ctx.cos]), b.op('Mul', [swapped, ctx.sin])]);
}

// Keys visible to each query, [B, 1, T, S] bool: key index <= the query's index in the whole sequence (S - T + t),
// within the sliding window when the model has one, and attention_mask[b, key] = 1 (padding hidden).
function attentionMask(b: OnnxGraphBuilder, c: ModelConfig, attentionMaskInput: string, inputIds: string): string {
  const zero = b.constant(OnnxType.INT64, [], BigInt64Array.of(0n)), one = b.constant(OnnxType.INT64, [], BigInt64Array.of(1n));
  const dim = (value: string, axis: number): string => b.op('Gather', [b.op('Shape', [value]), b.constant(OnnxType.INT64, [], BigInt64Array.of(BigInt(axis)))], [attr.int('axis', 0)]);
  const s = dim(attentionMaskInput, 1), t = dim(inputIds, 1);
  const keys = b.op('Unsqueeze', [b.op('Range', [zero, s, one]), b.i64([0])]); // [1, S]
  const queries = b.op('Unsqueeze', [b.op('Range', [b.op('Sub', [s, t]), s, one]), b.i64([1])]); // [T, 1]
  let allowed = b.op('LessOrEqual', [keys, queries]); // [T, S]
  if (c.slidingWindow !== undefined) {
    const window = b.constant(OnnxType.INT64, [], BigInt64Array.of(BigInt(c.slidingWindow)));
    allowed = b.op('And', [allowed, b.op('Greater', [keys, b.op('Sub', [queries, window])])]);
  }
  const notPad = b.op('Unsqueeze', [b.op('Cast', [attentionMaskInput], [attr.int('to', OnnxType.BOOL)]), b.i64([1, 2])]); // [B, 1, 1, S]
  return b.op('And', [allowed, notPad]);
}

// [B, T, H*D] -> [B, H, T, D]
function heads(b: OnnxGraphBuilder, x: string, h: number, d: number): string {
  return b.op('Transpose', [b.op('Reshape', [x, b.i64([0, 0, h, d])])], [attr.ints('perm', [0, 2, 1, 3])]);
}

// One layer's attention on the normed input h [B, T, hidden]; writes present.{i}.* and returns [B, T, Hq*D].
function attention(ctx: Ctx, i: number, h: string): string {
  const { b, c } = ctx;
  const pre = `model.layers.${i}.self_attn.`, d = c.headDim, g = c.numHeads / c.numKvHeads;
  let q = heads(b, linear(ctx, h, `${pre}q_proj`, c.attentionBias), c.numHeads, d);
  let k = heads(b, linear(ctx, h, `${pre}k_proj`, c.attentionBias), c.numKvHeads, d);
  const v = heads(b, linear(ctx, h, `${pre}v_proj`, c.attentionBias), c.numKvHeads, d);
  if (c.qkNorm) {
    q = rmsNorm(ctx, q, `${pre}q_norm.weight`);
    k = rmsNorm(ctx, k, `${pre}k_norm.weight`);
  }
  q = rope(ctx, q);
  k = rope(ctx, k);
  const keys = b.add('Concat', [KV_NAMES.pastKey(i), k], [attr.int('axis', 2)], { outputNames: [KV_NAMES.presentKey(i)] })[0]!;
  const values = b.add('Concat', [KV_NAMES.pastValue(i), v], [attr.int('axis', 2)], { outputNames: [KV_NAMES.presentValue(i)] })[0]!;
  // The g query heads of a kv head as extra rows: [B, Hkv, g*T, D] against keys [B, Hkv, S, D].
  const grouped = g === 1 ? q : b.op('Reshape', [q, b.i64([0, c.numKvHeads, -1, d])]);
  const kt = b.op('Transpose', [keys], [attr.ints('perm', [0, 1, 3, 2])]);
  let scores = b.op('Mul', [b.op('MatMul', [grouped, kt]), b.scalar(1 / Math.sqrt(d), 'f32')]);
  if (g !== 1) scores = b.op('Reshape', [scores, b.i64([0, c.numHeads, -1, 0])]); // [B, Hq, T, S]
  let probs = b.op('Softmax', [b.op('Where', [ctx.allowed, scores, b.scalar(MASKED_SCORE, 'f32')])], [attr.int('axis', -1)]);
  if (g !== 1) probs = b.op('Reshape', [probs, b.i64([0, c.numKvHeads, -1, 0])]);
  let out = b.op('MatMul', [probs, values]); // [B, Hkv, g*T, D]
  if (g !== 1) out = b.op('Reshape', [out, b.i64([0, c.numHeads, -1, d])]);
  const merged = b.op('Reshape', [b.op('Transpose', [out], [attr.ints('perm', [0, 2, 1, 3])]), b.i64([0, 0, c.numHeads * d])]);
  return linear(ctx, merged, `${pre}o_proj`, c.attentionOutBias);
}

function mlp(ctx: Ctx, i: number, h: string): string {
  const { b, c } = ctx;
  const pre = `model.layers.${i}.mlp.`;
  const gate = linear(ctx, h, `${pre}gate_proj`, c.mlpBias);
  const act = b.op('Mul', [gate, b.op('Sigmoid', [gate])]);
  return linear(ctx, b.op('Mul', [act, linear(ctx, h, `${pre}up_proj`, c.mlpBias)]), `${pre}down_proj`, c.mlpBias);
}

/**
 * The decoder of `config` with `params` (decoder-weights.ts layout) as an ONNX model with a KV cache and
 * symbolic dims `batch_size`, `sequence_length`, `past_sequence_length`, `total_sequence_length`. Weights are
 * initializers named after the parameters (a tied model's head is the embedding, transposed in the graph).
 */
export function decoderKvGraph(config: ModelConfig, params: HostParams): OnnxModel {
  const c = config, b = new OnnxGraphBuilder();
  const kv = [c.numKvHeads, c.headDim];
  b.input('input_ids', OnnxType.INT64, ['batch_size', 'sequence_length']);
  b.input('attention_mask', OnnxType.INT64, ['batch_size', 'total_sequence_length']);
  b.input('position_ids', OnnxType.INT64, ['batch_size', 'sequence_length']);
  for (let i = 0; i < c.numLayers; i++) {
    b.input(KV_NAMES.pastKey(i), 'f32', ['batch_size', kv[0]!, 'past_sequence_length', kv[1]!]);
    b.input(KV_NAMES.pastValue(i), 'f32', ['batch_size', kv[0]!, 'past_sequence_length', kv[1]!]);
  }
  b.output('logits', 'f32', ['batch_size', 'sequence_length', c.vocabSize]);
  for (let i = 0; i < c.numLayers; i++) {
    b.output(KV_NAMES.presentKey(i), 'f32', ['batch_size', kv[0]!, 'total_sequence_length', kv[1]!]);
    b.output(KV_NAMES.presentValue(i), 'f32', ['batch_size', kv[0]!, 'total_sequence_length', kv[1]!]);
  }
  b.setOwner('mask');
  const allowed = attentionMask(b, c, 'attention_mask', 'input_ids');
  b.setOwner('rope');
  const [cos, sin] = ropeTables(b, c, 'position_ids');
  const ctx: Ctx = { b, c, params, allowed, cos, sin };
  b.setOwner('embed');
  let x = b.op('Gather', [weight(ctx, 'model.embed_tokens.weight'), 'input_ids'], [attr.int('axis', 0)]); // [B, T, hidden]
  for (let i = 0; i < c.numLayers; i++) {
    b.setOwner(`layers.${i}.attn`);
    x = b.op('Add', [x, attention(ctx, i, rmsNorm(ctx, x, `model.layers.${i}.input_layernorm.weight`))]);
    b.setOwner(`layers.${i}.mlp`);
    x = b.op('Add', [x, mlp(ctx, i, rmsNorm(ctx, x, `model.layers.${i}.post_attention_layernorm.weight`))]);
  }
  b.setOwner('lm_head');
  // A tied head is the embedding transposed: a Transpose of an initializer, which runtimes fold once at load.
  const head = c.tieWordEmbeddings
    ? b.op('Transpose', [weight(ctx, 'model.embed_tokens.weight')], [attr.ints('perm', [1, 0])])
    : weight(ctx, 'lm_head.weight');
  b.add('MatMul', [rmsNorm(ctx, x, 'model.norm.weight'), head], [], { outputNames: ['logits'] });
  return b.build(`gramr_${c.architecture}_kv`, 'gramr export: decoder with KV cache (optimum / transformers.js layout)');
}
