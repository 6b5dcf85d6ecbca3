// SafetensorsFile: a checked, on-demand reader of one .safetensors file. Reads the 8-byte header length first
// and checks it against the file size before reading anything else (a hostile length never allocates), validates
// every entry (dtype, shape, offsets in range, sizes, no overlaps or holes), then reads tensor slices on request.
import { open, type FileHandle } from 'node:fs/promises';
import { DTYPE_BYTES, decodeToFloat32, FLOAT_DTYPES } from './dtype-decode.js';
import { ModelFormatError } from './model-format-error.js';

/** Bytes converted at a time when a tensor's dtype is not F32. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** Largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor entry of a safetensors header. */
export interface SafetensorsEntry {
  /** Tensor name. */
  name: string;
  /** safetensors dtype (F32, F16, BF16, ...). */
  dtype: string;
  /** Dimensions. */
  shape: number[];
  /** Start of the data, relative to the data section. */
  begin: number;
  /** End (exclusive) of the data, relative to the data section. */
  end: number;
}

/** The parsed, validated header. */
export interface SafetensorsHeader {
  /** Entries by name, in header order. */
  entries: Map<string, SafetensorsEntry>;
  /** The optional `__metadata__` string map ({} when absent). */
  metadata: Record<string, string>;
}

/** Validate a header's JSON text against a data section of `dataBytes` bytes. */
export function parseSafetensorsHeader(json: string, dataBytes: number, file: string): SafetensorsHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ModelFormatError(`header is not valid JSON: ${(err as Error).message}`, { file });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelFormatError('header must be a JSON object', { file });
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string')) {
        throw new ModelFormatError('__metadata__ must map strings to strings', { file, item: '__metadata__' });
      }
      metadata = value as Record<string, string>;
      continue;
    }
    const v = value as Record<string, unknown>;
    const dtype = v?.dtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      throw new ModelFormatError(`unknown dtype ${JSON.stringify(dtype)}; valid: ${Object.keys(DTYPE_BYTES).join(', ')}`, { file, item: name });
    }
    const shape = v.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ModelFormatError(`shape must be a list of integers >= 0, got ${JSON.stringify(shape)}`, { file, item: name });
    }
    const offs = v.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      throw new ModelFormatError(`data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offs)}`, { file, item: name });
    }
    const [begin, end] = offs as [number, number];
    if (end > dataBytes) {
      throw new ModelFormatError(`data_offsets [${begin}, ${end}] are out of range: the data section has ${dataBytes} bytes`, { file, item: name });
    }
    const expected = shape.reduce((a: number, b: number) => a * b, 1) * DTYPE_BYTES[dtype]!;
    if (end - begin !== expected) {
      throw new ModelFormatError(`data length ${end - begin} bytes does not match shape [${shape.join(', ')}] x ${dtype} (${expected} bytes)`, { file, item: name });
    }
    entries.set(name, { name, dtype, shape: shape as number[], begin, end });
  }
  const sorted = [...entries.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let last: SafetensorsEntry | undefined;
  for (const e of sorted) {
    if (e.begin < covered) {
      throw new ModelFormatError(`tensors ${last!.name} [${last!.begin}, ${last!.end}] and ${e.name} [${e.begin}, ${e.end}] overlap`, { file, item: e.name });
    }
    if (e.begin > covered) throw new ModelFormatError(`bytes ${covered}..${e.begin} of the data section belong to no tensor (a hole)`, { file, item: e.name });
    covered = e.end;
    last = e;
  }
  if (covered !== dataBytes) throw new ModelFormatError(`the data section has ${dataBytes} bytes but the tensors cover ${covered}`, { file });
  return { entries, metadata };
}

/** An open safetensors file; read tensors on demand, then close(). */
export class SafetensorsFile {
  private chunk?: Uint8Array;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    /** The file path. */
    readonly path: string,
    private readonly fh: FileHandle,
    private readonly dataStart: number,
    /** The validated header. */
    readonly header: SafetensorsHeader,
  ) {}

  /** Open and validate `path`; reads only the 8-byte length and the header. */
  static async open(path: string): Promise<SafetensorsFile> {
    const fh = await open(path, 'r').catch((err: Error) => { throw new ModelFormatError(`cannot open: ${err.message}`, { file: path }); });
    try {
      const size = (await fh.stat()).size;
      if (size < 8) throw new ModelFormatError(`file is ${size} bytes; a safetensors file starts with an 8-byte header length`, { file: path });
      const lenBuf = Buffer.alloc(8);
      await readExactly(fh, lenBuf, 0);
      const declared = lenBuf.readBigUInt64LE(0);
      if (declared > BigInt(size - 8)) {
        throw new ModelFormatError(`header length ${declared} bytes runs past the end of the file (${size} bytes)`, { file: path });
      }
      const headerLen = Number(declared);
      if (headerLen > MAX_HEADER_BYTES) throw new ModelFormatError(`header length ${headerLen} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`, { file: path });
      const headerBuf = Buffer.alloc(headerLen);
      await readExactly(fh, headerBuf, 8);
      const header = parseSafetensorsHeader(headerBuf.toString('utf8'), size - 8 - headerLen, path);
      return new SafetensorsFile(path, fh, 8 + headerLen, header);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Where the data section starts in the file (entries' offsets are relative to it). */
  get dataOffset(): number {
    return this.dataStart;
  }

  /** Tensor entries by name. */
  get entries(): Map<string, SafetensorsEntry> {
    return this.header.entries;
  }

  /**
   * Read one tensor as float32 (F32, F16, BF16, F64). With `out` (exactly the tensor's element count) the values go
   * there. Every dtype goes through one 4 MiB chunk buffer kept by this file (F32 copied, others converted), so no
   * copy of the whole tensor in its file dtype is ever made, and the target is written from user space: the kernel
   * writing fresh pages itself (a read straight into a new array) costs about twice the page faults on VMs with
   * shadow paging (measured in docs/performance.md). Reads of one file run one at a time.
   */
  readFloat32(name: string, out?: Float32Array): Promise<Float32Array> {
    const e = this.header.entries.get(name);
    if (e === undefined) return Promise.reject(new ModelFormatError('no such tensor in this file', { file: this.path, item: name }));
    if (!(FLOAT_DTYPES as readonly string[]).includes(e.dtype)) {
      return Promise.reject(new ModelFormatError(`dtype ${e.dtype} cannot be read as float weights; readable: ${FLOAT_DTYPES.join(', ')}`, { file: this.path, item: name }));
    }
    const width = DTYPE_BYTES[e.dtype]!, count = (e.end - e.begin) / width;
    if (out !== undefined && out.length !== count) return Promise.reject(new RangeError(`readFloat32: '${name}' has ${count} values, the target ${out.length}`));
    const read = this.queue.then(() => this.readChunks(e, count, width, out ?? new Float32Array(count)));
    this.queue = read.then(() => undefined, () => undefined);
    return read;
  }

  /** Read one tensor's raw bytes (little-endian, its file dtype), checking that dtype is `dtype`. */
  readBytes(name: string, dtype: string): Promise<Uint8Array> {
    const e = this.header.entries.get(name);
    if (e === undefined) return Promise.reject(new ModelFormatError('no such tensor in this file', { file: this.path, item: name }));
    if (e.dtype !== dtype) return Promise.reject(new ModelFormatError(`dtype ${e.dtype}, expected ${dtype}`, { file: this.path, item: name }));
    const read = this.queue.then(async () => {
      const out = new Uint8Array(e.end - e.begin);
      await readExactly(this.fh, out, this.dataStart + e.begin);
      return out;
    });
    this.queue = read.then(() => undefined, () => undefined);
    return read;
  }

  private async readChunks(e: SafetensorsEntry, count: number, width: number, target: Float32Array): Promise<Float32Array> {
    const per = Math.max(1, Math.floor(CHUNK_BYTES / width));
    this.chunk ??= new Uint8Array(CHUNK_BYTES);
    for (let done = 0; done < count; done += per) {
      const n = Math.min(per, count - done);
      const bytes = this.chunk.subarray(0, n * width);
      await readExactly(this.fh, bytes, this.dataStart + e.begin + done * width);
      target.set(decodeToFloat32(bytes, e.dtype), done);
    }
    return target;
  }

  /** Close the file handle. */
  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Fill `into` from `position`, in chunks (a single read is capped near 2 GB). */
async function readExactly(fh: FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const len = Math.min(into.byteLength - done, 1 << 30);
    const { bytesRead } = await fh.read(into, done, len, position + done);
    if (bytesRead === 0) throw new RangeError(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
}

/** Read every tensor of a file in one go (convenience for small files and tests). */
export async function readSafetensors(path: string): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const f = await SafetensorsFile.open(path);
  try {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, e] of f.entries) out.set(name, { shape: e.shape, data: await f.readFloat32(name) });
    return out;
  } finally {
    await f.close();
  }
}
