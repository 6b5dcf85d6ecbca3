// ModelConfig: the one description of a Llama-family decoder (Llama 2/3, Qwen2/2.5, Qwen3, Mistral, llama2.c)
// used by checkpoints and the decoder; parsed from / written to Hugging Face config.json with clear errors.
// Architecture-implied flags (Qwen2 q/k/v biases, Qwen3 QK-norm) are filled in here, never guessed later.
import { ModelFormatError } from './model-format-error.js';

/** The Hugging Face architectures gramr reads and writes. */
export type ModelArchitecture = 'LlamaForCausalLM' | 'Qwen2ForCausalLM' | 'Qwen3ForCausalLM' | 'MistralForCausalLM';

/** All supported architectures with their config.json `model_type`. */
export const SUPPORTED_ARCHITECTURES: Readonly<Record<ModelArchitecture, string>> = {
  LlamaForCausalLM: 'llama', Qwen2ForCausalLM: 'qwen2', Qwen3ForCausalLM: 'qwen3', MistralForCausalLM: 'mistral',
};

/** Llama 3.1-style RoPE frequency scaling. */
export interface Llama3RopeScaling {
  /** Discriminator ('llama3'). */
  type: 'llama3';
  /** Overall context extension factor (e.g. 8 or 32). */
  factor: number;
  /** Wavelengths above original/lowFreqFactor are divided by `factor`. */
  lowFreqFactor: number;
  /** Wavelengths below original/highFreqFactor are left alone. */
  highFreqFactor: number;
  /** The context length the model was pre-trained with (e.g. 8192). */
  originalMaxPositions: number;
}

/** Linear position interpolation (positions divided by `factor`). */
export interface LinearRopeScaling {
  /** Discriminator ('linear'). */
  type: 'linear';
  /** Position divisor. */
  factor: number;
}

/** RoPE scaling variants. */
export type RopeScaling = Llama3RopeScaling | LinearRopeScaling;

/** Everything the decoder needs to know about a checkpoint's shape and conventions. */
export interface ModelConfig {
  /** Hugging Face architecture name. */
  architecture: ModelArchitecture;
  /** Rows of the embedding / LM head (may exceed the tokenizer's vocab: padding). */
  vocabSize: number;
  /** Model width (d_model). */
  hiddenSize: number;
  /** SwiGLU inner width. */
  intermediateSize: number;
  /** Decoder layers. */
  numLayers: number;
  /** Query heads. */
  numHeads: number;
  /** Key/value heads (GQA when < numHeads). */
  numKvHeads: number;
  /** Per-head width (Qwen3 states it; elsewhere hiddenSize / numHeads). */
  headDim: number;
  /** Longest sequence the positions are meant for. */
  maxPositions: number;
  /** RMSNorm epsilon. */
  rmsNormEps: number;
  /** RoPE base. */
  ropeTheta: number;
  /** RoPE frequency scaling, when any. */
  ropeScaling?: RopeScaling;
  /** Which dimensions RoPE pairs: 'half' (i, i+d/2: Hugging Face) or 'interleaved' (2i, 2i+1: llama2.c, Meta). */
  ropeStyle: 'half' | 'interleaved';
  /** q/k/v projections have biases (always for Qwen2). */
  attentionBias: boolean;
  /** The o projection has a bias (Llama / Qwen3 with attention_bias). */
  attentionOutBias: boolean;
  /** MLP projections have biases (Llama mlp_bias). */
  mlpBias: boolean;
  /** RMSNorm on each head's q and k before RoPE (Qwen3). */
  qkNorm: boolean;
  /** The LM head reuses the token embedding (no lm_head.weight). */
  tieWordEmbeddings: boolean;
  /** Sliding-window attention size, when enabled (Mistral). */
  slidingWindow?: number;
  /** BOS token id, when the config names one. */
  bosTokenId?: number;
  /** EOS token ids (config.json may list several); [] when none. */
  eosTokenIds: number[];
}

interface ArchDefaults { maxPositions: number; eps: number; theta: number; }
const DEFAULTS: Record<ModelArchitecture, ArchDefaults> = {
  LlamaForCausalLM: { maxPositions: 2048, eps: 1e-6, theta: 10000 },
  Qwen2ForCausalLM: { maxPositions: 32768, eps: 1e-6, theta: 10000 },
  Qwen3ForCausalLM: { maxPositions: 32768, eps: 1e-6, theta: 10000 },
  MistralForCausalLM: { maxPositions: 4096 * 32, eps: 1e-6, theta: 10000 },
};

/** Typed readers of a config.json's fields; each error names the file and the field. */
interface FieldReaders {
  int(key: string, fallback?: number): number;
  num(key: string, fallback: number): number;
  bool(key: string, fallback: boolean): boolean;
}

function fieldReaders(j: Record<string, unknown>, file: string): FieldReaders {
  return {
    int: (key, fallback) => {
      const v = j[key] ?? fallback;
      if (v === undefined) throw new ModelFormatError(`required field is missing (a positive integer)`, { file, item: key });
      if (!Number.isInteger(v) || (v as number) <= 0) throw new ModelFormatError(`must be a positive integer, got ${JSON.stringify(v)}`, { file, item: key });
      return v as number;
    },
    num: (key, fallback) => {
      const v = j[key] ?? fallback;
      if (typeof v !== 'number' || !(v > 0)) throw new ModelFormatError(`must be a positive number, got ${JSON.stringify(v)}`, { file, item: key });
      return v;
    },
    bool: (key, fallback) => {
      const v = j[key] ?? fallback;
      if (typeof v !== 'boolean') throw new ModelFormatError(`must be true or false, got ${JSON.stringify(v)}`, { file, item: key });
      return v;
    },
  };
}

function architectureOf(j: Record<string, unknown>, file: string): ModelArchitecture {
  const archs = j.architectures;
  const arch = Array.isArray(archs) ? archs[0] : undefined;
  if (typeof arch !== 'string') throw new ModelFormatError(`missing "architectures" (one of ${Object.keys(SUPPORTED_ARCHITECTURES).join(', ')})`, { file, item: 'architectures' });
  if (!(arch in SUPPORTED_ARCHITECTURES)) {
    throw new ModelFormatError(`unknown architecture ${JSON.stringify(arch)}; supported: ${Object.keys(SUPPORTED_ARCHITECTURES).join(', ')}`, { file, item: 'architectures' });
  }
  return arch as ModelArchitecture;
}

// Hidden size, query and key/value heads and the head dimension (given, or hidden size / heads).
function headLayout(j: Record<string, unknown>, architecture: ModelArchitecture, { int }: FieldReaders, file: string): Pick<ModelConfig, 'hiddenSize' | 'numHeads' | 'numKvHeads' | 'headDim'> {
  const hiddenSize = int('hidden_size');
  const numHeads = int('num_attention_heads');
  const numKvHeads = int('num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) throw new ModelFormatError(`num_attention_heads (${numHeads}) must be a multiple of num_key_value_heads (${numKvHeads})`, { file, item: 'num_key_value_heads' });
  let headDim: number;
  if (architecture === 'Qwen3ForCausalLM' || (j.head_dim !== undefined && j.head_dim !== null)) headDim = int('head_dim');
  else if (hiddenSize % numHeads !== 0) throw new ModelFormatError(`hidden_size (${hiddenSize}) is not a multiple of num_attention_heads (${numHeads}) and head_dim is not given`, { file, item: 'head_dim' });
  else headDim = hiddenSize / numHeads;
  return { hiddenSize, numHeads, numKvHeads, headDim };
}

// Which projections carry biases and whether q/k are normalized: fixed by the architecture or read from the file.
function biasFlags(architecture: ModelArchitecture, { bool }: FieldReaders): Pick<ModelConfig, 'attentionBias' | 'attentionOutBias' | 'mlpBias' | 'qkNorm'> {
  let attentionBias = false, attentionOutBias = false, mlpBias = false, qkNorm = false;
  if (architecture === 'LlamaForCausalLM') {
    attentionBias = attentionOutBias = bool('attention_bias', false);
    mlpBias = bool('mlp_bias', false);
  } else if (architecture === 'Qwen2ForCausalLM') {
    attentionBias = true;
  } else if (architecture === 'Qwen3ForCausalLM') {
    attentionBias = attentionOutBias = bool('attention_bias', false);
    qkNorm = true;
  }
  return { attentionBias, attentionOutBias, mlpBias, qkNorm };
}

// End-of-sequence ids (one or a list, possibly none) and the begin-of-sequence id, if any.
function specialTokens(j: Record<string, unknown>, file: string): { eosTokenIds: number[]; bos: unknown } {
  const eos = j.eos_token_id;
  const eosTokenIds = eos === undefined || eos === null ? [] : Array.isArray(eos) ? eos : [eos];
  if (!eosTokenIds.every((e) => Number.isInteger(e) && e >= 0)) throw new ModelFormatError(`must be a token id or a list of ids, got ${JSON.stringify(eos)}`, { file, item: 'eos_token_id' });
  const bos = j.bos_token_id;
  if (bos !== undefined && bos !== null && !(Number.isInteger(bos) && (bos as number) >= 0)) throw new ModelFormatError(`must be a token id, got ${JSON.stringify(bos)}`, { file, item: 'bos_token_id' });
  return { eosTokenIds: eosTokenIds as number[], bos };
}

/** Parse a Hugging Face config.json object; `file` names it in errors. */
export function parseHfConfig(json: unknown, file: string): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFormatError('config must be a JSON object', { file });
  const j = json as Record<string, unknown>;
  const architecture = architectureOf(j, file);
  const d = DEFAULTS[architecture];
  const read = fieldReaders(j, file);
  const { int, num, bool } = read;
  if (j.hidden_act !== undefined && j.hidden_act !== 'silu') {
    throw new ModelFormatError(`hidden_act ${JSON.stringify(j.hidden_act)} is not supported (only "silu": SwiGLU)`, { file, item: 'hidden_act' });
  }
  const { hiddenSize, numHeads, numKvHeads, headDim } = headLayout(j, architecture, read, file);
  const ropeParams = (typeof j.rope_parameters === 'object' && j.rope_parameters !== null ? j.rope_parameters : {}) as Record<string, unknown>;
  const ropeTheta = num('rope_theta', (ropeParams.rope_theta as number | undefined) ?? d.theta);
  const ropeScaling = parseRopeScaling(j.rope_scaling ?? (j.rope_parameters ?? undefined), file);
  const style = j.gramr_rope_style ?? 'half';
  if (style !== 'half' && style !== 'interleaved') throw new ModelFormatError(`must be "half" or "interleaved", got ${JSON.stringify(style)}`, { file, item: 'gramr_rope_style' });
  const { attentionBias, attentionOutBias, mlpBias, qkNorm } = biasFlags(architecture, read);
  let slidingWindow: number | undefined;
  const sw = j.sliding_window;
  const swEnabled = architecture === 'MistralForCausalLM' ? sw !== null && sw !== undefined : j.use_sliding_window === true;
  if (swEnabled) slidingWindow = int('sliding_window');
  const { eosTokenIds, bos } = specialTokens(j, file);
  const config: ModelConfig = {
    architecture,
    vocabSize: int('vocab_size'),
    hiddenSize,
    intermediateSize: int('intermediate_size'),
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    maxPositions: int('max_position_embeddings', d.maxPositions),
    rmsNormEps: num('rms_norm_eps', d.eps),
    ropeTheta,
    ropeStyle: style,
    attentionBias, attentionOutBias, mlpBias, qkNorm,
    tieWordEmbeddings: bool('tie_word_embeddings', false),
    eosTokenIds,
  };
  if (ropeScaling !== undefined) config.ropeScaling = ropeScaling;
  if (slidingWindow !== undefined) config.slidingWindow = slidingWindow;
  if (typeof bos === 'number') config.bosTokenId = bos;
  return config;
}

function parseRopeScaling(v: unknown, file: string): RopeScaling | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object') throw new ModelFormatError(`must be an object or null, got ${JSON.stringify(v)}`, { file, item: 'rope_scaling' });
  const r = v as Record<string, unknown>;
  const type = r.rope_type ?? r.type ?? 'default';
  const field = (key: string): number => {
    const x = r[key];
    if (typeof x !== 'number' || !(x > 0)) throw new ModelFormatError(`must be a positive number, got ${JSON.stringify(x)}`, { file, item: `rope_scaling.${key}` });
    return x;
  };
  if (type === 'default') return undefined;
  if (type === 'linear') return { type: 'linear', factor: field('factor') };
  if (type === 'llama3') {
    return {
      type: 'llama3', factor: field('factor'), lowFreqFactor: field('low_freq_factor'),
      highFreqFactor: field('high_freq_factor'), originalMaxPositions: field('original_max_position_embeddings'),
    };
  }
  throw new ModelFormatError(`unsupported rope_type ${JSON.stringify(type)}; supported: default, linear, llama3`, { file, item: 'rope_scaling.rope_type' });
}

/** Check a config built in code obeys its architecture's rules (the flags config.json cannot express otherwise). */
export function checkArchitectureFlags(c: ModelConfig, file: string): void {
  const fail = (msg: string, item: string): never => { throw new ModelFormatError(`${c.architecture}: ${msg}`, { file, item }); };
  if (!(c.architecture in SUPPORTED_ARCHITECTURES)) fail(`unknown architecture; supported: ${Object.keys(SUPPORTED_ARCHITECTURES).join(', ')}`, 'architecture');
  const isQwen3 = c.architecture === 'Qwen3ForCausalLM';
  if (c.qkNorm !== isQwen3) fail(`qkNorm must be ${isQwen3} (only Qwen3 has QK-norm)`, 'qkNorm');
  if (c.architecture === 'Qwen2ForCausalLM') {
    if (!c.attentionBias || c.attentionOutBias) fail('Qwen2 always has q/k/v biases and no o_proj bias', 'attentionBias');
  } else if (c.architecture === 'MistralForCausalLM') {
    if (c.attentionBias || c.attentionOutBias) fail('Mistral has no attention biases', 'attentionBias');
  } else if (c.attentionBias !== c.attentionOutBias) {
    fail('attention_bias covers q/k/v and o together: attentionBias and attentionOutBias must be equal', 'attentionOutBias');
  }
  if (c.mlpBias && c.architecture !== 'LlamaForCausalLM') fail('only Llama has mlp_bias', 'mlpBias');
  if (c.slidingWindow !== undefined && c.architecture !== 'MistralForCausalLM' && c.architecture !== 'Qwen2ForCausalLM' && c.architecture !== 'Qwen3ForCausalLM') {
    fail('sliding window is only expressible for Mistral and Qwen', 'slidingWindow');
  }
}

/** The config.json object for a ModelConfig (parseHfConfig(toHfConfig(c)) deep-equals c). */
export function toHfConfig(c: ModelConfig, file = 'config.json'): Record<string, unknown> {
  checkArchitectureFlags(c, file);
  const out: Record<string, unknown> = {
    architectures: [c.architecture],
    model_type: SUPPORTED_ARCHITECTURES[c.architecture],
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    max_position_embeddings: c.maxPositions,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: c.ropeScaling === undefined ? null
      : c.ropeScaling.type === 'linear' ? { rope_type: 'linear', factor: c.ropeScaling.factor }
      : {
        rope_type: 'llama3', factor: c.ropeScaling.factor, low_freq_factor: c.ropeScaling.lowFreqFactor,
        high_freq_factor: c.ropeScaling.highFreqFactor, original_max_position_embeddings: c.ropeScaling.originalMaxPositions,
      },
    hidden_act: 'silu',
    tie_word_embeddings: c.tieWordEmbeddings,
    bos_token_id: c.bosTokenId ?? null,
    eos_token_id: c.eosTokenIds.length === 0 ? null : c.eosTokenIds.length === 1 ? c.eosTokenIds[0] : c.eosTokenIds,
    torch_dtype: 'float32',
  };
  if (c.architecture === 'LlamaForCausalLM') { out.attention_bias = c.attentionBias; out.mlp_bias = c.mlpBias; }
  if (c.architecture === 'Qwen3ForCausalLM') out.attention_bias = c.attentionBias;
  if (c.architecture === 'MistralForCausalLM') out.sliding_window = c.slidingWindow ?? null;
  else if (c.architecture !== 'LlamaForCausalLM') {
    out.use_sliding_window = c.slidingWindow !== undefined;
    out.sliding_window = c.slidingWindow ?? null;
  }
  // Hugging Face has no field for this: its Llama code assumes 'half'. Weights are stored as read (not permuted).
  if (c.ropeStyle === 'interleaved') out.gramr_rope_style = 'interleaved';
  return out;
}
