// GPU storage buffers of the WebGPU backend: allocation rounded to 16 bytes, live counters, and a pool of released
// buffers by byte size so a training loop stops creating buffers after its first step. Also the staging
// (MAP_READ) buffers downloads go through, pooled the same way.
import type { DType } from '../../core/tensor/dtype.js';

/** A tensor's storage on the device: a storage buffer holding `size` 4-byte elements (maybe more bytes). */
export interface GpuTensor {
  /** The storage buffer (STORAGE | COPY_SRC | COPY_DST). */
  readonly buffer: GPUBuffer;
  /** Element count. */
  readonly size: number;
  /** Element type (f32 as array<f32>, i32 as array<i32>). */
  readonly dtype: DType;
}

/** Pooled bytes beyond this are destroyed instead of kept. */
const MAX_POOLED_BYTES = 1024 * 1024 * 1024;

/** Bytes a buffer for `n` 4-byte elements gets (at least 16, a multiple of 16). */
export function bytesFor(n: number): number {
  return Math.max(16, Math.ceil((n * 4) / 16) * 16);
}

/** Allocator with live counters and a reuse pool. */
export class GpuBufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly staging = new Map<number, GPUBuffer[]>();
  /** Buffers handed out and not yet released. */
  liveBuffers = 0;
  /** Bytes of those buffers. */
  liveBytes = 0;
  /** Buffers waiting in the pool. */
  pooledBuffers = 0;
  /** Bytes waiting in the pool. */
  pooledBytes = 0;

  constructor(private readonly device: GPUDevice, private readonly maxBufferBytes: number) {}

  /** A tensor of `n` elements of `dtype`; contents are arbitrary (kernels must write every element). */
  alloc(n: number, dtype: DType): GpuTensor {
    const bytes = bytesFor(n);
    if (bytes > this.maxBufferBytes) {
      throw new Error(`webgpu: a ${dtype} tensor of ${n} elements needs ${bytes} bytes; this adapter's largest storage buffer is ${this.maxBufferBytes} bytes`);
    }
    let buffer = this.free.get(bytes)?.pop();
    if (buffer) {
      this.pooledBuffers--;
      this.pooledBytes -= bytes;
    } else {
      buffer = this.createStorage(bytes);
    }
    this.liveBuffers++;
    this.liveBytes += bytes;
    return { buffer, size: n, dtype };
  }

  /** A tensor outside the pool and its counters (constants, the status buffer): the caller destroys it. */
  unpooled(n: number, dtype: DType): GpuTensor {
    return { buffer: this.createStorage(bytesFor(n)), size: n, dtype };
  }

  /** Returns a tensor's buffer obtained from `alloc` to the pool. */
  release(t: GpuTensor): void {
    const bytes = t.buffer.size;
    this.liveBuffers--;
    this.liveBytes -= bytes;
    if (this.pooledBytes + bytes > MAX_POOLED_BYTES) { t.buffer.destroy(); return; }
    const list = this.free.get(bytes);
    if (list) list.push(t.buffer); else this.free.set(bytes, [t.buffer]);
    this.pooledBuffers++;
    this.pooledBytes += bytes;
  }

  /** A MAP_READ | COPY_DST buffer of exactly `bytes` (a multiple of 4). */
  takeStaging(bytes: number): GPUBuffer {
    return this.staging.get(bytes)?.pop() ?? this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Gives back an unmapped staging buffer. */
  giveStaging(buffer: GPUBuffer): void {
    const list = this.staging.get(buffer.size);
    if (!list) this.staging.set(buffer.size, [buffer]);
    else if (list.length < 4) list.push(buffer);
    else buffer.destroy();
  }

  private createStorage(bytes: number): GPUBuffer {
    return this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  }

  /** Destroys every pooled buffer (live ones stay counted). */
  clear(): void {
    for (const list of [...this.free.values(), ...this.staging.values()]) for (const b of list) b.destroy();
    this.free.clear();
    this.staging.clear();
    this.pooledBuffers = 0;
    this.pooledBytes = 0;
  }
}
