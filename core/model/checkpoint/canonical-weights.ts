// The canonical tensor names and shapes of a Llama-family checkpoint (Hugging Face names, [out, in] Linear
// weights) derived from a ModelConfig, and the check that a set of tensors matches them exactly.
import type { ModelConfig } from './model-config.js';
import { ModelFormatError } from './model-format-error.js';

/** One weight tensor as plain data: row-major float32 values. */
export interface WeightTensor {
  /** Dimensions, outermost first ([out, in] for Linear weights). */
  shape: number[];
  /** shape.reduce(*) values, row-major. */
  data: Float32Array;
}

/** All weights of a model by canonical name. */
export type Weights = Map<string, WeightTensor>;

/** An expected tensor: its name, shape, and the config fields its shape comes from (for error messages). */
export interface TensorSpec {
  /** Canonical (Hugging Face) name. */
  name: string;
  /** Expected shape. */
  shape: number[];
  /** config.json fields that determine the shape. */
  fields: string[];
}

/** Every tensor a checkpoint with this config must have, in a stable order. */
export function expectedTensors(c: ModelConfig): TensorSpec[] {
  const H = c.hiddenSize, I = c.intermediateSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
  const specs: TensorSpec[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, H], fields: ['vocab_size', 'hidden_size'] }];
  const qF = ['num_attention_heads', 'head_dim'], kvF = ['num_key_value_heads', 'head_dim'];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    specs.push({ name: `${p}input_layernorm.weight`, shape: [H], fields: ['hidden_size'] });
    specs.push({ name: `${p}self_attn.q_proj.weight`, shape: [q, H], fields: [...qF, 'hidden_size'] });
    specs.push({ name: `${p}self_attn.k_proj.weight`, shape: [kv, H], fields: [...kvF, 'hidden_size'] });
    specs.push({ name: `${p}self_attn.v_proj.weight`, shape: [kv, H], fields: [...kvF, 'hidden_size'] });
    if (c.attentionBias) {
      specs.push({ name: `${p}self_attn.q_proj.bias`, shape: [q], fields: [...qF, 'attention_bias'] });
      specs.push({ name: `${p}self_attn.k_proj.bias`, shape: [kv], fields: [...kvF, 'attention_bias'] });
      specs.push({ name: `${p}self_attn.v_proj.bias`, shape: [kv], fields: [...kvF, 'attention_bias'] });
    }
    specs.push({ name: `${p}self_attn.o_proj.weight`, shape: [H, q], fields: ['hidden_size', ...qF] });
    if (c.attentionOutBias) specs.push({ name: `${p}self_attn.o_proj.bias`, shape: [H], fields: ['hidden_size', 'attention_bias'] });
    if (c.qkNorm) {
      specs.push({ name: `${p}self_attn.q_norm.weight`, shape: [c.headDim], fields: ['head_dim'] });
      specs.push({ name: `${p}self_attn.k_norm.weight`, shape: [c.headDim], fields: ['head_dim'] });
    }
    specs.push({ name: `${p}post_attention_layernorm.weight`, shape: [H], fields: ['hidden_size'] });
    specs.push({ name: `${p}mlp.gate_proj.weight`, shape: [I, H], fields: ['intermediate_size', 'hidden_size'] });
    specs.push({ name: `${p}mlp.up_proj.weight`, shape: [I, H], fields: ['intermediate_size', 'hidden_size'] });
    specs.push({ name: `${p}mlp.down_proj.weight`, shape: [H, I], fields: ['hidden_size', 'intermediate_size'] });
    if (c.mlpBias) {
      specs.push({ name: `${p}mlp.gate_proj.bias`, shape: [I], fields: ['intermediate_size', 'mlp_bias'] });
      specs.push({ name: `${p}mlp.up_proj.bias`, shape: [I], fields: ['intermediate_size', 'mlp_bias'] });
      specs.push({ name: `${p}mlp.down_proj.bias`, shape: [H], fields: ['hidden_size', 'mlp_bias'] });
    }
  }
  specs.push({ name: 'model.norm.weight', shape: [H], fields: ['hidden_size'] });
  if (!c.tieWordEmbeddings) specs.push({ name: 'lm_head.weight', shape: [c.vocabSize, H], fields: ['vocab_size', 'hidden_size', 'tie_word_embeddings'] });
  return specs;
}

/** Tensors a Hugging Face file may carry that gramr does not need (never an error). */
const IGNORABLE = /(^|\.)rotary_emb\.inv_freq$/;

/** Where each found tensor lives and its shape. */
export type FoundTensors = Map<string, { shape: number[]; file: string }>;

/**
 * Check found tensors against the config: every expected tensor present with the expected shape, nothing
 * unexplained left over. Returns the names of ignorable extras (rotary caches, a tied duplicate lm_head).
 * `configFile` names the config in errors.
 */
export function checkTensors(c: ModelConfig, found: FoundTensors, configFile: string, searched: string): string[] {
  const specs = expectedTensors(c);
  const known = new Set(specs.map((s) => s.name));
  for (const s of specs) {
    const f = found.get(s.name);
    if (f === undefined) {
      throw new ModelFormatError(`missing tensor (expected shape [${s.shape.join(', ')}] from ${configFile}; searched ${searched})`, { file: searched, item: s.name });
    }
    if (f.shape.length !== s.shape.length || f.shape.some((d, i) => d !== s.shape[i])) {
      const values = s.fields.map((k) => `${k}=${fieldValue(c, k)}`).join(', ');
      throw new ModelFormatError(`shape [${f.shape.join(', ')}] contradicts ${configFile} (${values}), which implies [${s.shape.join(', ')}]`, { file: f.file, item: s.name });
    }
  }
  const ignored: string[] = [];
  for (const [name, f] of found) {
    if (known.has(name)) continue;
    if (IGNORABLE.test(name) || (name === 'lm_head.weight' && c.tieWordEmbeddings)) { ignored.push(name); continue; }
    throw new ModelFormatError(`unexpected tensor for ${configFile}: ${explainExtra(name, c)}`, { file: f.file, item: name });
  }
  return ignored;
}

function explainExtra(name: string, c: ModelConfig): string {
  const layer = /^model\.layers\.(\d+)\./.exec(name);
  if (layer !== null && Number(layer[1]) >= c.numLayers) return `layer ${layer[1]} but num_hidden_layers=${c.numLayers}`;
  if (/_proj\.bias$/.test(name)) return `a bias, but the config says attention_bias=${c.attentionBias} / mlp_bias=${c.mlpBias} for ${c.architecture}`;
  if (/[qk]_norm\.weight$/.test(name)) return `a QK-norm weight, but ${c.architecture} has no QK-norm`;
  return 'not a tensor of a Llama-family decoder with this config';
}

function fieldValue(c: ModelConfig, key: string): string {
  const map: Record<string, unknown> = {
    vocab_size: c.vocabSize, hidden_size: c.hiddenSize, intermediate_size: c.intermediateSize,
    num_attention_heads: c.numHeads, num_key_value_heads: c.numKvHeads, head_dim: c.headDim,
    attention_bias: c.attentionBias, mlp_bias: c.mlpBias, tie_word_embeddings: c.tieWordEmbeddings,
  };
  return String(map[key]);
}

/** Check in-memory weights (shapes via checkTensors, and data lengths) before they are written. */
export function checkWeights(c: ModelConfig, weights: Weights, where: string): void {
  const found: FoundTensors = new Map();
  for (const [name, w] of weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (!(w.data instanceof Float32Array) || w.data.length !== n) {
      throw new ModelFormatError(`data has ${w.data?.length} values but shape [${w.shape.join(', ')}] needs ${n} (Float32Array)`, { file: where, item: name });
    }
    found.set(name, { shape: w.shape, file: where });
  }
  checkTensors(c, found, 'the config', where);
}
