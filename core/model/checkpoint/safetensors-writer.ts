// writeSafetensors: write float32 tensors as a .safetensors file (8-byte header length, JSON header padded with
// spaces to 8 bytes, then the data in the given order) in F32, BF16 or F16, atomically via a temp file + rename.
import { writeFileAtomic } from '../../io/atomic-write.js';
import { ModelFormatError } from './model-format-error.js';
import { encodeFloat32, writeDtypeBytes, type WriteDtype } from './dtype-encode.js';

/** A tensor to write. */
export interface TensorToWrite {
  /** Dimensions. */
  shape: number[];
  /** Row-major values; length must equal the product of shape. */
  data: Float32Array;
}

/** Write `tensors` (in iteration order) to `path` as `dtype` (default F32); metadata defaults to {"format": "pt"}. */
export async function writeSafetensors(
  path: string,
  tensors: Iterable<[string, TensorToWrite]>,
  metadata: Record<string, string> = { format: 'pt' },
  dtype: WriteDtype = 'F32',
): Promise<void> {
  const width = writeDtypeBytes(dtype);
  const list = [...tensors];
  const entries = list.map(([name, t]) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new ModelFormatError(`data has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${n}`, { file: path, item: name });
    return { name, dtype, shape: t.shape, byteLength: n * width };
  });
  const head = safetensorsHead(entries, metadata);
  await writeFileAtomic(path, async (write) => {
    await write(head);
    for (const [, t] of list) await write(encodeFloat32(t.data, dtype));
  });
}

/** One entry of a safetensors header, before its offsets are known. */
export interface HeaderEntry {
  /** Tensor name. */
  name: string;
  /** safetensors dtype (F32, U8, ...). */
  dtype: string;
  /** Dimensions. */
  shape: readonly number[];
  /** Bytes of its data. */
  byteLength: number;
}

/**
 * The bytes a safetensors file starts with: the 8-byte header length and the JSON header (padded with spaces to a
 * multiple of 8), the entries' data following in the given order.
 */
export function safetensorsHead(entries: readonly HeaderEntry[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.byteLength] };
    offset += e.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.byteLength);
  out.writeBigUInt64LE(BigInt(headerBytes.byteLength));
  headerBytes.copy(out, 8);
  return out;
}
