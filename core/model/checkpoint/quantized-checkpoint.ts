// Stored quantized checkpoints: a Hugging Face-style folder whose config.json carries `quantization_config:
// {quant_method: "gramr_nbits", bits, block_size}` and whose model.safetensors holds every projection and the LM head
// (also for tied models) as MatMulNBits codes `NAME.qweight` (U8 [N, ceil(K / block), block * bits / 8]) and scales
// `NAME.scales` (F32 [N, ceil(K / block)]), the rest (embedding, norms, biases) as floats. Written once by
// saveQuantizedCheckpoint (`gramr quantize`), loaded without quantizing again; docs/quantized-checkpoints.md.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expectedTensors, type TensorSpec } from './canonical-weights.js';
import type { CheckpointReader, StoredQuantization } from './checkpoint-reader.js';
import { FLOAT_DTYPES } from './dtype-decode.js';
import { toHfConfig, type ModelConfig } from './model-config.js';
import { ModelFormatError } from './model-format-error.js';
import { SafetensorsFile } from './safetensors-file.js';
import { safetensorsHead, type HeaderEntry } from './safetensors-writer.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { blocksPerRow, checkQuantization, dequantizeMatrix, quantizeMatrix, type QuantBits, type QuantizedMatrix } from '../../tensor/quantize.js';

/** The `quant_method` of gramr's own quantized checkpoints. */
export const QUANT_METHOD = 'gramr_nbits';

/** The quantization a config.json declares, or undefined for a float checkpoint; other methods are refused. */
export function storedQuantization(json: Record<string, unknown>, file: string): StoredQuantization | undefined {
  const q = json.quantization_config;
  if (q === undefined) return undefined;
  const item = 'quantization_config';
  if (typeof q !== 'object' || q === null || Array.isArray(q)) throw new ModelFormatError('must be an object', { file, item });
  const r = q as Record<string, unknown>;
  if (r.quant_method !== QUANT_METHOD) {
    throw new ModelFormatError(`quant_method ${JSON.stringify(r.quant_method)} is not supported: gramr reads float checkpoints and its own '${QUANT_METHOD}' ones (written by gramr quantize)`, { file, item: `${item}.quant_method` });
  }
  if (r.bits !== 4 && r.bits !== 8) throw new ModelFormatError(`bits must be 4 or 8, got ${JSON.stringify(r.bits)}`, { file, item: `${item}.bits` });
  const bs = r.block_size;
  if (typeof bs !== 'number' || !Number.isInteger(bs) || bs < 16 || (bs & (bs - 1)) !== 0) {
    throw new ModelFormatError(`block_size must be a power of two >= 16, got ${JSON.stringify(bs)}`, { file, item: `${item}.block_size` });
  }
  return { bits: r.bits, blockSize: bs };
}

/** The weights stored quantized, `[out, in]` by name: every 2-D weight but the embedding, plus a tied model's head. */
export function quantizedWeights(config: ModelConfig): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const s of expectedTensors(config)) if (s.shape.length === 2 && s.name !== 'model.embed_tokens.weight') out.set(s.name, [s.shape[0]!, s.shape[1]!]);
  if (config.tieWordEmbeddings) out.set('lm_head.weight', [config.vocabSize, config.hiddenSize]);
  return out;
}

/** Every tensor of the file: name, dtype ('float' for any float dtype) and shape, in the order they are written. */
function fileEntries(config: ModelConfig, q: StoredQuantization): { name: string; dtype: string; shape: number[]; source: string }[] {
  const quantized = quantizedWeights(config);
  const specs: TensorSpec[] = [...expectedTensors(config)];
  if (config.tieWordEmbeddings) specs.push({ name: 'lm_head.weight', shape: [config.vocabSize, config.hiddenSize], fields: [] });
  return specs.flatMap((s) => {
    const nk = quantized.get(s.name);
    if (nk === undefined) return [{ name: s.name, dtype: 'float', shape: s.shape, source: s.name }];
    const nb = blocksPerRow(nk[1], q.blockSize);
    return [
      { name: `${s.name}.qweight`, dtype: 'U8', shape: [nk[0], nb, (q.blockSize * q.bits) / 8], source: s.name },
      { name: `${s.name}.scales`, dtype: 'F32', shape: [nk[0], nb], source: s.name },
    ];
  });
}

/** Checks a file's tensors against the config and quantization: each present with its dtype and shape, no others. */
function checkEntries(file: SafetensorsFile, config: ModelConfig, q: StoredQuantization, configPath: string): void {
  const expected = fileEntries(config, q);
  const how = `${configPath} (${q.bits}-bit, blocks of ${q.blockSize})`;
  for (const x of expected) {
    const e = file.entries.get(x.name);
    if (e === undefined) throw new ModelFormatError(`missing tensor (expected ${x.dtype} [${x.shape.join(', ')}] from ${how})`, { file: file.path, item: x.name });
    const dtypeOk = x.dtype === 'float' ? (FLOAT_DTYPES as readonly string[]).includes(e.dtype) : e.dtype === x.dtype;
    if (!dtypeOk || e.shape.length !== x.shape.length || e.shape.some((d, i) => d !== x.shape[i])) {
      throw new ModelFormatError(`${e.dtype} [${e.shape.join(', ')}] contradicts ${how}, which implies ${x.dtype} [${x.shape.join(', ')}]`, { file: file.path, item: x.name });
    }
  }
  const known = new Set(expected.map((x) => x.name));
  for (const name of file.entries.keys()) {
    if (!known.has(name)) throw new ModelFormatError(`unexpected tensor for ${how}`, { file: file.path, item: name });
  }
}

/** Opens a stored quantized checkpoint folder (config already parsed): its model.safetensors, checked entry by entry. */
export async function openQuantizedCheckpoint(dir: string, config: ModelConfig, q: StoredQuantization, configPath: string): Promise<CheckpointReader> {
  const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
  try {
    checkEntries(file, config, q, configPath);
  } catch (e) {
    await file.close();
    throw e;
  }
  const quantized = quantizedWeights(config);
  const readQuantized = async (name: string): Promise<QuantizedMatrix> => {
    const nk = quantized.get(name);
    if (nk === undefined) throw new ModelFormatError('this tensor is not stored quantized', { file: file.path, item: name });
    const packed = await file.readBytes(`${name}.qweight`, 'U8');
    const scales = await file.readFloat32(`${name}.scales`);
    for (let i = 0; i < scales.length; i++) {
      if (!(scales[i]! >= 0 && scales[i]! < Infinity)) throw new ModelFormatError(`scale ${i} is ${scales[i]} (scales are finite and >= 0)`, { file: file.path, item: `${name}.scales` });
    }
    return { bits: q.bits, blockSize: q.blockSize, n: nk[0], k: nk[1], packed, scales };
  };
  return {
    config, format: 'hf-safetensors', source: dir, ignored: [], tensors: expectedTensors(config), quantization: q, readQuantized,
    read: async (name, out) => {
      if (!quantized.has(name)) return file.readFloat32(name, out);
      const values = dequantizeMatrix(await readQuantized(name));
      if (out === undefined) return values;
      if (out.length !== values.length) throw new RangeError(`read: '${name}' has ${values.length} values, the target ${out.length}`);
      out.set(values);
      return out;
    },
    close: () => file.close(),
  };
}

/** Anything with a save(dir) (a Tokenizer). */
interface SavableTokenizer { save(dir: string): Promise<string[]> }

/**
 * Writes `source` (a float checkpoint, read tensor by tensor) quantized into folder `dir`: model.safetensors,
 * config.json with its quantization_config, and the tokenizer's files when given. Returns the paths written.
 */
export async function saveQuantizedCheckpoint(source: CheckpointReader, dir: string, bits: QuantBits, blockSize = 32, tokenizer?: SavableTokenizer): Promise<string[]> {
  if (source.quantization) throw new ModelFormatError(`is already stored ${source.quantization.bits}-bit; quantize the float checkpoint it came from`, { file: source.source });
  if (resolve(dir) === resolve(source.source)) throw new ModelFormatError('the output folder is the source folder; write the quantized checkpoint to a new folder', { file: dir });
  const q: StoredQuantization = { bits, blockSize };
  checkQuantization(bits, blockSize); // before any write
  const config = source.config;
  const entries = fileEntries(config, q).map((x): HeaderEntry & { source: string } => ({
    name: x.name, source: x.source, dtype: x.dtype === 'float' ? 'F32' : x.dtype, shape: x.shape, byteLength: x.shape.reduce((a, b) => a * b, 1) * (x.dtype === 'U8' ? 1 : 4),
  }));
  const quantized = quantizedWeights(config);
  const modelPath = join(dir, 'model.safetensors');
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(modelPath, async (write) => {
    await write(safetensorsHead(entries, { format: 'pt', gramr: `${QUANT_METHOD}: ${bits}-bit codes, blocks of ${blockSize}` }));
    let last: QuantizedMatrix | undefined;
    for (const e of entries) {
      const from = e.source === 'lm_head.weight' && config.tieWordEmbeddings ? 'model.embed_tokens.weight' : e.source;
      const nk = quantized.get(e.source);
      if (nk === undefined) { const v = await source.read(from); await write(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)); continue; }
      if (e.name.endsWith('.qweight')) { last = quantizeMatrix(await source.read(from), nk[0], nk[1], bits, blockSize); await write(last.packed); continue; }
      await write(new Uint8Array(last!.scales.buffer, last!.scales.byteOffset, last!.scales.byteLength));
    }
  });
  const hf = { ...toHfConfig(config, join(dir, 'config.json')), torch_dtype: 'float32', quantization_config: { quant_method: QUANT_METHOD, bits, block_size: blockSize } };
  await writeFileAtomic(join(dir, 'config.json'), JSON.stringify(hf, null, 2) + '\n');
  const written = [modelPath, join(dir, 'config.json')];
  if (tokenizer !== undefined) written.push(...(await tokenizer.save(dir)));
  return written;
}
