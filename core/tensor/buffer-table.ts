// The allocator's bookkeeping every backend shares: a table from DeviceBuffer ids to the backend's own storage (a
// typed array, a GPU buffer, an ORT tensor), with the handle checks and errors worded once. Ids are process-wide,
// so a buffer of one backend instance is never mistaken for another's.
import type { DeviceBuffer } from './backend.js';
import type { DType, HostArray, HostData } from './dtype.js';
import type { Shape } from './shape.js';

/** A DeviceBuffer that also records its element count. */
export interface SizedBuffer extends DeviceBuffer {
  /** Elements it holds. */
  readonly size: number;
}

let nextBufferId = 1;

/** Live buffers of one backend: handle -> storage `S`. */
export class BufferTable<S> {
  private readonly entries = new Map<number, S>();

  /** @param backend name put on every handle and in every error */
  constructor(readonly backend: string) {}

  /** Live buffers. */
  get size(): number { return this.entries.size; }

  /** A new handle for `storage` of `size` elements. */
  add(storage: S, shape: Shape, dtype: DType, size: number): SizedBuffer {
    const id = nextBufferId++;
    this.entries.set(id, storage);
    return { id, backend: this.backend, shape: [...shape], dtype, size };
  }

  /** The storage of a live handle; throws naming the buffer when it was freed or is another backend's. */
  get(buffer: DeviceBuffer): S {
    const s = this.entries.get(buffer.id);
    if (s === undefined || buffer.backend !== this.backend) {
      throw new Error(`${this.backend}: buffer #${buffer.id} ${buffer.dtype} [${buffer.shape.join(',')}] was freed or belongs to another backend`);
    }
    return s;
  }

  /** Forgets a live handle and returns its storage (the caller releases it). */
  take(buffer: DeviceBuffer): S {
    const s = this.get(buffer);
    this.entries.delete(buffer.id);
    return s;
  }

  /** Storage of every live handle. */
  values(): IterableIterator<S> { return this.entries.values(); }

  /** Forgets every handle (the caller releases the storage first). */
  clear(): void { this.entries.clear(); }
}

/** Throws unless `length` host values fill a buffer of `size` elements (`what` is e.g. `cpu.upload`). */
export function checkUploadLength(what: string, buffer: DeviceBuffer, size: number, length: number): void {
  if (length !== size) {
    throw new Error(`${what}: buffer #${buffer.id} ${buffer.dtype} [${buffer.shape.join(',')}] holds ${size} elements, got ${length}`);
  }
}

/** Throws unless elements [offset, offset + length) lie inside a buffer of `size` elements. */
export function checkUploadRange(what: string, buffer: DeviceBuffer, size: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + length > size) {
    throw new Error(`${what}: elements [${offset}, ${offset + length}) are outside buffer #${buffer.id} ${buffer.dtype} [${buffer.shape.join(',')}] (${size} elements)`);
  }
}

/** Copies host data into `target` from element `offset` (a plain array element by element, a typed array at once). */
export function writeHost(target: HostArray, data: HostData, offset = 0): void {
  if (Array.isArray(data)) for (let i = 0; i < data.length; i++) target[offset + i] = data[i]!;
  else target.set(data as HostArray, offset);
}
