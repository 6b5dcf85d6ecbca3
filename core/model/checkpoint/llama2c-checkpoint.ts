// llama2.c model files (.bin): the legacy format (7 int32 header, float32 weights, negative vocab_size = untied
// classifier) and export version 1 ("ak42" magic, 256-byte header). The size is checked against the header before
// any weight is read; tensors are mapped to Hugging Face names and shapes with ropeStyle 'interleaved'.
import { open, type FileHandle } from 'node:fs/promises';
import type { Weights } from './canonical-weights.js';
import type { Checkpoint } from './checkpoint.js';
import type { ModelConfig } from './model-config.js';
import { ModelFormatError } from './model-format-error.js';

const MAGIC_AK42 = 0x616b3432;

/** The seven llama2.c header values. */
export interface Llama2cHeader {
  /** Model width. */
  dim: number;
  /** FFN inner width. */
  hiddenDim: number;
  /** Layers. */
  nLayers: number;
  /** Query heads. */
  nHeads: number;
  /** Key/value heads. */
  nKvHeads: number;
  /** Vocabulary size (positive; see `shared`). */
  vocabSize: number;
  /** Maximum sequence length. */
  seqLen: number;
  /** The classifier shares the token embedding. */
  shared: boolean;
  /** 0 for the legacy format, 1 for "ak42" version 1. */
  version: 0 | 1;
  /** Byte offset of the first weight. */
  dataStart: number;
}

/**
 * One run of consecutive float32 values in the file: `count` tensors of `shape` (one per layer, or one), named by
 * `name(i)` ('' marks data that is skipped). Names are made on demand: a hostile header must not allocate per layer.
 */
interface Block { count: number; name: (i: number) => string; shape: number[]; }

/** Load a llama2.c .bin checkpoint. */
export async function loadLlama2cCheckpoint(path: string): Promise<Checkpoint> {
  const fh = await open(path, 'r').catch((err: Error) => { throw new ModelFormatError(`cannot open: ${err.message}`, { file: path }); });
  try {
    const size = (await fh.stat()).size;
    const h = await readHeader(fh, size, path);
    const blocks = layout(h);
    const floats = blocks.reduce((n, b) => n + b.count * b.shape.reduce((a, c) => a * c, 1), 0);
    const expected = h.dataStart + floats * 4;
    if (size !== expected) {
      const hdr = `dim=${h.dim}, hidden_dim=${h.hiddenDim}, n_layers=${h.nLayers}, n_heads=${h.nHeads}, n_kv_heads=${h.nKvHeads}, vocab_size=${h.shared ? '' : '-'}${h.vocabSize}, seq_len=${h.seqLen}`;
      throw new ModelFormatError(`file is ${size} bytes but its header (${hdr}) implies ${expected} bytes${size < expected ? ' (truncated?)' : ''}`, { file: path });
    }
    const weights: Weights = new Map();
    let pos = h.dataStart;
    for (const b of blocks) {
      const n = b.shape.reduce((a, c) => a * c, 1);
      for (let i = 0; i < b.count; i++) {
        const name = b.name(i);
        if (name !== '') {
          const data = new Float32Array(n);
          await readFloats(fh, data, pos);
          weights.set(name, { shape: b.shape, data });
        }
        pos += n * 4;
      }
    }
    const config: ModelConfig = {
      architecture: 'LlamaForCausalLM',
      vocabSize: h.vocabSize, hiddenSize: h.dim, intermediateSize: h.hiddenDim, numLayers: h.nLayers,
      numHeads: h.nHeads, numKvHeads: h.nKvHeads, headDim: h.dim / h.nHeads, maxPositions: h.seqLen,
      rmsNormEps: 1e-5, ropeTheta: 10000, ropeStyle: 'interleaved',
      attentionBias: false, attentionOutBias: false, mlpBias: false, qkNorm: false,
      tieWordEmbeddings: h.shared, bosTokenId: 1, eosTokenIds: [2],
    };
    return { config, weights, format: 'llama2c', source: path, ignored: [] };
  } finally {
    await fh.close();
  }
}

async function readHeader(fh: FileHandle, size: number, file: string): Promise<Llama2cHeader> {
  if (size < 28) throw new ModelFormatError(`file is ${size} bytes; a llama2.c model starts with a 28-byte header`, { file });
  const buf = Buffer.alloc(Math.min(size, 256));
  await fh.read(buf, 0, buf.length, 0);
  let version: 0 | 1 = 0;
  let off = 0;
  if (buf.readUInt32LE(0) === MAGIC_AK42) {
    const v = buf.readInt32LE(4);
    if (v !== 1) throw new ModelFormatError(`llama2.c export version ${v} is not supported (only legacy and version 1, float32)`, { file, item: 'version' });
    if (size < 256) throw new ModelFormatError(`file is ${size} bytes; a version-1 llama2.c model has a 256-byte header`, { file });
    version = 1;
    off = 8;
  }
  const names = ['dim', 'hidden_dim', 'n_layers', 'n_heads', 'n_kv_heads', 'vocab_size', 'seq_len'];
  const v = names.map((_, i) => buf.readInt32LE(off + 4 * i));
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocab, seqLen] = v as [number, number, number, number, number, number, number];
  v.forEach((x, i) => {
    if (x === 0 || (x < 0 && names[i] !== 'vocab_size') || Math.abs(x) > 1 << 24) {
      throw new ModelFormatError(`header value ${x} is not plausible (header: ${v.join(', ')})`, { file, item: names[i]! });
    }
  });
  if (dim % nHeads !== 0) throw new ModelFormatError(`dim ${dim} is not a multiple of n_heads ${nHeads}`, { file, item: 'n_heads' });
  if (nHeads % nKvHeads !== 0) throw new ModelFormatError(`n_heads ${nHeads} is not a multiple of n_kv_heads ${nKvHeads}`, { file, item: 'n_kv_heads' });
  if (version === 1 && vocab < 0) throw new ModelFormatError('version-1 files state sharing in a flag; vocab_size must be positive', { file, item: 'vocab_size' });
  const shared = version === 1 ? buf.readUInt8(36) === 1 : vocab > 0;
  return { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize: Math.abs(vocab), seqLen, shared, version, dataStart: version === 1 ? 256 : 28 };
}

/** The order of tensors in the file, as (names, shape) blocks; '' marks data that is skipped (freq_cis). */
function layout(h: Llama2cHeader): Block[] {
  const kv = h.nKvHeads * (h.dim / h.nHeads);
  const per = (suffix: string, shape: number[]): Block => ({ count: h.nLayers, name: (i) => `model.layers.${i}.${suffix}`, shape });
  const one = (name: string, shape: number[]): Block => ({ count: 1, name: () => name, shape });
  const embed = one('model.embed_tokens.weight', [h.vocabSize, h.dim]);
  const attnNorm = per('input_layernorm.weight', [h.dim]);
  const ffnNorm = per('post_attention_layernorm.weight', [h.dim]);
  const norm = one('model.norm.weight', [h.dim]);
  const mats = [
    per('self_attn.q_proj.weight', [h.dim, h.dim]), per('self_attn.k_proj.weight', [kv, h.dim]),
    per('self_attn.v_proj.weight', [kv, h.dim]), per('self_attn.o_proj.weight', [h.dim, h.dim]),
  ];
  const ffn = [per('mlp.gate_proj.weight', [h.hiddenDim, h.dim]), per('mlp.down_proj.weight', [h.dim, h.hiddenDim]), per('mlp.up_proj.weight', [h.hiddenDim, h.dim])];
  const head: Block[] = h.shared ? [] : [one('lm_head.weight', [h.vocabSize, h.dim])];
  if (h.version === 1) return [attnNorm, ffnNorm, norm, embed, ...mats, ...ffn, ...head];
  const freqs: Block = { count: 2, name: () => '', shape: [h.seqLen, h.dim / h.nHeads / 2] };
  return [embed, attnNorm, ...mats, ffnNorm, ...ffn, norm, freqs, ...head];
}

async function readFloats(fh: FileHandle, into: Float32Array, position: number): Promise<void> {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesRead } = await fh.read(bytes, done, Math.min(bytes.byteLength - done, 1 << 30), position + done);
    if (bytesRead === 0) throw new RangeError(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
}
