// Random checkpoints in real model layouts for `gramr bench scale`: the layer shapes of Qwen2.5-0.5B and Llama
// 3.2 1B / 3B with GPT-2's 50,257-token vocabulary (its tokenizer.json is copied in), seeded uniform weights of
// std 0.02, written once tensor by tensor (no whole model in memory) into a cache folder and reused afterwards.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expectedTensors } from '../core/model/checkpoint/canonical-weights.js';
import { parseHfConfig, type ModelConfig } from '../core/model/checkpoint/model-config.js';
import { writeFileAtomic } from '../core/io/atomic-write.js';

/** GPT-2's vocabulary size: the tokenizer every scale checkpoint uses. */
export const GPT2_VOCAB = 50257;

const common = { hidden_act: 'silu', vocab_size: GPT2_VOCAB, bos_token_id: 50256, eos_token_id: 50256, tie_word_embeddings: true };

/** The named layouts: Hugging Face config.json contents with the real shapes and GPT-2's vocabulary. */
export const SCALE_LAYOUTS: Readonly<Record<string, Record<string, unknown>>> = {
  'qwen2.5-0.5b': {
    ...common, architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24,
    num_attention_heads: 14, num_key_value_heads: 2, max_position_embeddings: 32768, rms_norm_eps: 1e-6, rope_theta: 1000000,
  },
  'llama-3.2-1b': {
    ...common, architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16,
    num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, max_position_embeddings: 131072, rms_norm_eps: 1e-5, rope_theta: 500000,
    rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  },
  'llama-3.2-3b': {
    ...common, architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 3072, intermediate_size: 8192, num_hidden_layers: 28,
    num_attention_heads: 24, num_key_value_heads: 8, head_dim: 128, max_position_embeddings: 131072, rms_norm_eps: 1e-5, rope_theta: 500000,
    rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  },
};

/** Element type of the written weights. */
export type ScaleDtype = 'F32' | 'BF16';

/** The parsed ModelConfig of a named layout (throws naming the valid layouts). */
export function scaleLayout(name: string): ModelConfig {
  const json = SCALE_LAYOUTS[name];
  if (json === undefined) throw new Error(`unknown layout '${name}'; valid: ${Object.keys(SCALE_LAYOUTS).join(', ')}`);
  return parseHfConfig(json, `layout ${name}`);
}

/** Parameter count of a config (every tensor of its checkpoint). */
export function parameterCount(config: ModelConfig): number {
  return expectedTensors(config).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
}

// xorshift32 uniform values in [-a, a): fast enough to write 0.5B values in seconds.
function fillUniform(out: Float32Array, state: { s: number }, a: number): void {
  let s = state.s;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 * 2 - 1) * a;
  }
  state.s = s;
}

// F32 values to BF16 (round to nearest even), as the bytes of a Uint16Array.
function toBf16(x: Float32Array): Uint8Array {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) { const b = bits[i]!; out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16; }
  return new Uint8Array(out.buffer);
}

/**
 * Writes `dir`/model.safetensors, config.json and tokenizer.json for layout `name` unless `dir` already holds
 * them. Returns the folder. Weights are seeded (seed 1): norms 1, everything else uniform with std 0.02.
 */
export async function ensureScaleCheckpoint(name: string, dir: string, tokenizerJson: string, dtype: ScaleDtype = 'F32'): Promise<string> {
  const config = scaleLayout(name);
  const model = join(dir, 'model.safetensors');
  if (await stat(model).then(() => true, () => false)) return dir;
  await stat(tokenizerJson).catch(() => { throw new Error(`bench scale: tokenizer ${tokenizerJson} does not exist (set GRAMR_DATA to the shared data folder)`); });
  await mkdir(dir, { recursive: true });
  const specs = expectedTensors(config);
  const bytesPer = dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', gramr: `random ${name} layout, seed 1` } };
  let offset = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1) * bytesPer;
    header[s.name] = { dtype, shape: s.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const state = { s: 1 };
  await writeFileAtomic(model, async (write) => {
    await write(len);
    await write(Buffer.from(json, 'utf8'));
    for (const s of specs) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const chunk = new Float32Array(Math.min(n, 1 << 22));
      for (let done = 0; done < n; done += chunk.length) {
        const part = chunk.subarray(0, Math.min(chunk.length, n - done));
        if (/norm\.weight$/.test(s.name)) part.fill(1);
        else fillUniform(part, state, 0.02 * Math.sqrt(3));
        await write(dtype === 'F32' ? new Uint8Array(part.buffer, 0, part.byteLength) : toBf16(part));
      }
    }
  });
  await copyFile(tokenizerJson, join(dir, 'tokenizer.json'));
  await writeFileAtomic(join(dir, 'config.json'), JSON.stringify(SCALE_LAYOUTS[name], null, 2) + '\n');
  return dir;
}

/** Size in bytes of a folder's model.safetensors. */
export async function weightFileBytes(dir: string): Promise<number> {
  return (await stat(join(dir, 'model.safetensors'))).size;
}

/** The config.json of a checkpoint folder, parsed. */
export async function folderConfig(dir: string): Promise<ModelConfig> {
  return parseHfConfig(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')), join(dir, 'config.json'));
}
