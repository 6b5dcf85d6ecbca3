// The Llama-family decoder as tensor graphs (Llama 2/3, Qwen2/2.5, Qwen3, Mistral, llama2.c): embedding, per
// layer RMSNorm -> q/k/v (+biases) -> QK-norm -> RoPE -> GQA causal attention (optionally against a KV cache)
// -> o_proj, RMSNorm -> SwiGLU, final RMSNorm and LM head. Only builds graphs, so it runs on every backend.
// Parameters are named tensors in decoder-weights.ts's layout; relies on core/tensor's ops.
import type { ModelConfig } from './checkpoint/model-config.js';
import { ropeFrequencies } from './rope-frequencies.js';
import { ops, type Tensor } from '../tensor/index.js';
import { GraphBuildError } from '../tensor/shape.js';

/** Decoder parameters as graph tensors (inputs when compiled), by canonical name. */
export type DecoderTensors = Readonly<Record<string, Tensor>>;

/** One layer's cache: keys and values `[B, kvHeads, L, headDim]`. */
export interface LayerCache {
  /** Keys after RoPE. */
  k: Tensor;
  /** Values. */
  v: Tensor;
}

/** What one decoder pass reads. */
export interface DecoderPass {
  /** i32 `[B, T]` token ids. */
  ids: Tensor;
  /**
   * Without `cache`: each row holds positions 0..T-1 (right padding), and when `cacheLength` is set the pass
   * also returns its keys/values zero-padded to that length (prefill).
   * With `cache`: the T new tokens sit at positions `start[b] + t` (i32 `[B]`); they are written into the cache
   * and attend to it (decode).
   */
  cache?: { layers: readonly LayerCache[]; start: Tensor };
  /** Prefill: return the caches padded to this length (>= T). */
  cacheLength?: number;
}

/** What one decoder pass gives. */
export interface DecoderResult {
  /** Final-norm hidden states `[B, T, hidden]`. */
  hidden: Tensor;
  /** Updated (decode) or new (prefill) caches, one per layer; undefined for a plain forward. */
  cache?: LayerCache[];
}

const need = (p: DecoderTensors, name: string): Tensor => {
  const t = p[name];
  if (t === undefined) throw new GraphBuildError(`decoder: parameter '${name}' is missing`);
  return t;
};

/** `x @ W (+ b)` for x `[N, in]`; the bias only when the config has it. */
function linear(p: DecoderTensors, x: Tensor, prefix: string, bias: boolean): Tensor {
  const y = x.matmul(need(p, `${prefix}.weight`));
  return bias ? y.add(need(p, `${prefix}.bias`)) : y;
}

/** The decoder stack: hidden states after the final norm (and caches, for prefill/decode passes). */
export function decoderHidden(config: ModelConfig, p: DecoderTensors, pass: DecoderPass): DecoderResult {
  const { ids } = pass;
  if (ids.dtype !== 'i32' || ids.rank !== 2) throw new GraphBuildError(`decoder: ids must be i32 [B, T], got ${ids.dtype} [${ids.shape.join(', ')}]`);
  const [b, t] = ids.shape as [number, number];
  const c = config, hd = c.headDim, n = b * t;
  if (pass.cache && pass.cache.layers.length !== c.numLayers) {
    throw new GraphBuildError(`decoder: cache has ${pass.cache.layers.length} layers, the model ${c.numLayers}`);
  }
  if (pass.cacheLength !== undefined && pass.cacheLength < t) throw new GraphBuildError(`decoder: cacheLength ${pass.cacheLength} < T ${t}`);
  const positions = pass.cache ? pass.cache.start.reshape([b, 1]).add(ops.iota(t).reshape([1, t])) : ops.iota(t);
  const invFreq = ops.constant(ropeFrequencies(c));
  const rope = (x: Tensor): Tensor => ops.rope(x, positions, { convention: c.ropeStyle, invFreq });
  // [N, h*hd] -> [B, h, T, hd]; with one token per row the layouts coincide, so a (free) reshape does it.
  const heads = (x: Tensor, h: number): Tensor => (t === 1 ? x.reshape([b, h, 1, hd]) : x.reshape([b, t, h, hd]).transpose([0, 2, 1, 3]));
  let x = ops.embedding(need(p, 'model.embed_tokens.weight'), ids).reshape([n, c.hiddenSize]);
  const caches: LayerCache[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    const pre = `model.layers.${i}.`;
    const h = ops.rmsNorm(x, need(p, `${pre}input_layernorm.weight`), c.rmsNormEps);
    let q = heads(linear(p, h, `${pre}self_attn.q_proj`, c.attentionBias), c.numHeads);
    let k = heads(linear(p, h, `${pre}self_attn.k_proj`, c.attentionBias), c.numKvHeads);
    const v0 = heads(linear(p, h, `${pre}self_attn.v_proj`, c.attentionBias), c.numKvHeads);
    if (c.qkNorm) {
      q = ops.rmsNorm(q, need(p, `${pre}self_attn.q_norm.weight`), c.rmsNormEps);
      k = ops.rmsNorm(k, need(p, `${pre}self_attn.k_norm.weight`), c.rmsNormEps);
    }
    q = rope(q);
    k = rope(k);
    let att: Tensor;
    if (pass.cache) {
      const { start } = pass.cache;
      const kc = ops.kvCacheUpdate(pass.cache.layers[i]!.k, k, start);
      const vc = ops.kvCacheUpdate(pass.cache.layers[i]!.v, v0, start);
      caches.push({ k: kc, v: vc });
      att = ops.causalAttention(q, kc, vc, { start });
    } else {
      att = ops.causalAttention(q, k, v0);
      if (pass.cacheLength !== undefined) {
        const grow = (x: Tensor): Tensor => x.pad([0, 0, 0, 0], [0, 0, pass.cacheLength! - t, 0]);
        caches.push({ k: grow(k), v: grow(v0) });
      }
    }
    const merged = (t === 1 ? att : att.transpose([0, 2, 1, 3])).reshape([n, c.numHeads * hd]);
    x = x.add(linear(p, merged, `${pre}self_attn.o_proj`, c.attentionOutBias));
    const h2 = ops.rmsNorm(x, need(p, `${pre}post_attention_layernorm.weight`), c.rmsNormEps);
    const gate = ops.silu(linear(p, h2, `${pre}mlp.gate_proj`, c.mlpBias));
    const up = linear(p, h2, `${pre}mlp.up_proj`, c.mlpBias);
    x = x.add(linear(p, gate.mul(up), `${pre}mlp.down_proj`, c.mlpBias));
  }
  const hidden = ops.rmsNorm(x, need(p, 'model.norm.weight'), c.rmsNormEps).reshape([b, t, c.hiddenSize]);
  return caches.length > 0 ? { hidden, cache: caches } : { hidden };
}

/**
 * Logits `[..., vocab]` of hidden states `[..., hidden]`. Uses `lm_head.weight` `[hidden, vocab]` when given
 * (untied models; inference also feeds a transposed copy for tied ones), else the embedding transposed.
 */
export function lmHead(config: ModelConfig, p: DecoderTensors, hidden: Tensor): Tensor {
  const head = p['lm_head.weight'];
  if (head === undefined && !config.tieWordEmbeddings) throw new GraphBuildError("decoder: parameter 'lm_head.weight' is missing (untied model)");
  const w = head ?? need(p, 'model.embed_tokens.weight').transpose();
  const lead = hidden.shape.slice(0, -1);
  return hidden.reshape([-1, config.hiddenSize]).matmul(w).reshape([...lead, config.vocabSize]);
}

/** Hidden states `[B, T, H]` at one position per row (i32 `index` `[B]`) -> `[B, H]`, without dynamic indexing. */
export function selectPositions(hidden: Tensor, index: Tensor): Tensor {
  const [b, t, h] = hidden.shape as [number, number, number];
  const onehot = ops.iota(t).reshape([1, t]).eq(index.reshape([b, 1])); // [B, T] f32
  return onehot.reshape([b, 1, t]).matmul(hidden).reshape([b, h]);
}

/** Logits `[B, T, vocab]` of i32 ids `[B, T]` (positions 0..T-1 in every row; pad on the right). */
export function decoderLogits(config: ModelConfig, p: DecoderTensors, ids: Tensor): Tensor {
  return lmHead(config, p, decoderHidden(config, p, { ids }).hidden);
}

/**
 * Next-token cross-entropy for training: `ids` `[B, T]` and `targets` `[B, T]` (i32; `targets[b][t]` is the token
 * after position t, or `ignoreIndex` for prompt tokens and padding). Mean over the counted tokens.
 */
export function causalLmLoss(config: ModelConfig, p: DecoderTensors, ids: Tensor, targets: Tensor, ignoreIndex = -100): Tensor {
  return ops.crossEntropy(decoderLogits(config, p, ids), targets, { ignoreIndex });
}
