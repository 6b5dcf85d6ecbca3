// writeSafetensors: write float32 tensors as a .safetensors file (8-byte header length, JSON header padded with
// spaces to 8 bytes, then the data in the given order), atomically via a temp file + rename.
import { writeFileAtomic } from '../../io/atomic-write.js';
import { ModelFormatError } from './model-format-error.js';

/** A tensor to write. */
export interface TensorToWrite {
  /** Dimensions. */
  shape: number[];
  /** Row-major values; length must equal the product of shape. */
  data: Float32Array;
}

/** Write `tensors` (in iteration order) to `path` as F32; metadata defaults to {"format": "pt"}. */
export async function writeSafetensors(
  path: string,
  tensors: Iterable<[string, TensorToWrite]>,
  metadata: Record<string, string> = { format: 'pt' },
): Promise<void> {
  const list = [...tensors];
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of list) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new ModelFormatError(`data has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${n}`, { file: path, item: name });
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + n * 4] };
    offset += n * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.byteLength));
  await writeFileAtomic(path, async (write) => {
    await write(len);
    await write(headerBytes);
    for (const [, t] of list) await write(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  });
}
