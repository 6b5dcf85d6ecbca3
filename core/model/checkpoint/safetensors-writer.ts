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
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of list) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new ModelFormatError(`data has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${n}`, { file: path, item: name });
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + n * width] };
    offset += n * width;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.byteLength));
  await writeFileAtomic(path, async (write) => {
    await write(len);
    await write(headerBytes);
    for (const [, t] of list) await write(encodeFloat32(t.data, dtype));
  });
}
