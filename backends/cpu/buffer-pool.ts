// Typed-array allocator of the CPU backend: counts live arrays and bytes, and keeps released arrays by
// (kind, length) for reuse so a training loop stops allocating after its first step.
import type { DType } from '../../core/tensor/dtype.js';

/** Storage of one tensor on the CPU backend. */
export type CpuArray = Float32Array | Float64Array | Int32Array;

/** Pooled bytes beyond this are dropped instead of kept. */
const MAX_POOLED_BYTES = 512 * 1024 * 1024;

/** Allocator with live counters and a reuse pool. */
export class BufferPool {
  private readonly free = new Map<string, CpuArray[]>();
  /** Arrays handed out and not yet released. */
  liveBuffers = 0;
  /** Bytes of those arrays. */
  liveBytes = 0;
  /** Arrays waiting in the pool. */
  pooledBuffers = 0;
  /** Bytes waiting in the pool. */
  pooledBytes = 0;

  /** @param f64 store f32 tensors as Float64Array */
  constructor(private readonly f64: boolean) {}

  /** An array for `n` elements of `dtype`; contents are arbitrary (kernels must write every element). */
  alloc(n: number, dtype: DType): CpuArray {
    const kind = dtype === 'i32' ? 'i32' : this.f64 ? 'f64' : 'f32';
    const list = this.free.get(`${kind}:${n}`);
    let arr = list?.pop();
    if (arr) {
      this.pooledBuffers--;
      this.pooledBytes -= arr.byteLength;
    } else {
      arr = kind === 'i32' ? new Int32Array(n) : kind === 'f64' ? new Float64Array(n) : new Float32Array(n);
    }
    this.liveBuffers++;
    this.liveBytes += arr.byteLength;
    return arr;
  }

  /** A zero-filled array. */
  zeros(n: number, dtype: DType): CpuArray {
    const a = this.alloc(n, dtype);
    a.fill(0);
    return a;
  }

  /** Returns an array obtained from `alloc`; it may be handed out again. */
  release(arr: CpuArray): void {
    this.liveBuffers--;
    this.liveBytes -= arr.byteLength;
    if (this.pooledBytes + arr.byteLength > MAX_POOLED_BYTES) return;
    const kind = arr instanceof Int32Array ? 'i32' : arr instanceof Float64Array ? 'f64' : 'f32';
    const key = `${kind}:${arr.length}`;
    const list = this.free.get(key);
    if (list) list.push(arr); else this.free.set(key, [arr]);
    this.pooledBuffers++;
    this.pooledBytes += arr.byteLength;
  }

  /** Drops the pool (live arrays stay counted). */
  clear(): void {
    this.free.clear();
    this.pooledBuffers = 0;
    this.pooledBytes = 0;
  }
}
