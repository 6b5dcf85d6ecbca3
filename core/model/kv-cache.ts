// The KV cache of a generation: one keys and one values buffer `[B, kvHeads, L, headDim]` per layer, kept on the
// backend, of a fixed length L chosen from static buckets (powers of two); decode programs read it and return
// either the updated buffers, which replace the old ones, or only the new rows, which `append` writes in place
// (backends with `uploadRange`).
import type { ModelConfig } from './checkpoint/model-config.js';
import type { LayerCache } from './decoder.js';
import type { ComputeBackend, DeviceBuffer } from '../tensor/backend.js';
import { input } from '../tensor/primitives.js';

/** Smallest bucket: shorter sequences are padded up to it. */
export const MIN_BUCKET = 16;

/** The static length bucket for `n` tokens: the next power of two >= max(n, MIN_BUCKET), capped at `limit` (>= n). */
export function lengthBucket(n: number, limit: number): number {
  if (!(n <= limit)) throw new RangeError(`${n} tokens exceed the model's limit of ${limit} positions`);
  let b = MIN_BUCKET;
  while (b < n) b *= 2;
  return Math.min(b, limit);
}

/** Feed names of layer i's cache in decode programs. */
export const cacheFeedNames = (i: number): { k: string; v: string } => ({ k: `cache.k.${i}`, v: `cache.v.${i}` });

/** Graph inputs for a cache of `batch` rows and length `length`, one pair per layer. */
export function cacheInputs(config: ModelConfig, batch: number, length: number): LayerCache[] {
  const shape = [batch, config.numKvHeads, length, config.headDim];
  return Array.from({ length: config.numLayers }, (_, i) => ({ k: input(cacheFeedNames(i).k, shape), v: input(cacheFeedNames(i).v, shape) }));
}

/** A cache's device buffers for one batch, replaced after every program that updates it (or appended to in place). */
export class KvCache {
  private buffers: DeviceBuffer[];
  private feedsCache?: Readonly<Record<string, DeviceBuffer>>;

  /**
   * @param backend owner of the buffers
   * @param batch rows
   * @param length L, the bucket the buffers have
   * @param buffers k0, v0, k1, v1, ... (taken over: freed by `replace` / `dispose`)
   */
  constructor(private readonly backend: ComputeBackend, readonly batch: number, public length: number, buffers: DeviceBuffer[]) {
    this.buffers = buffers;
  }

  /** The feeds of a decode program by name (one frozen object until the buffers are replaced). */
  feeds(): Readonly<Record<string, DeviceBuffer>> {
    if (!this.feedsCache) {
      const f: Record<string, DeviceBuffer> = {};
      for (let i = 0; i < this.buffers.length / 2; i++) {
        const n = cacheFeedNames(i);
        f[n.k] = this.buffers[2 * i]!;
        f[n.v] = this.buffers[2 * i + 1]!;
      }
      this.feedsCache = Object.freeze(f);
    }
    return this.feedsCache;
  }

  /** True when the backend can write rows in place (`uploadRange`), so `append` can be used. */
  get appendable(): boolean { return this.backend.uploadRange !== undefined; }

  /**
   * Writes new rows in place (backends with `uploadRange`). `rows` is a decodeRowsProgram's `[B, 2 * layers * H,
   * T, D]` output (k0, v0, k1, v1, ... stacked on the head axis; freed here); row t of batch row b goes to position
   * start[b] + t. Positions outside [0, L) are dropped, as kv_cache_update does.
   */
  async append(rows: DeviceBuffer, start: readonly number[]): Promise<void> {
    try {
      const write = this.backend.uploadRange?.bind(this.backend);
      if (!write) throw new Error(`KvCache.append: the ${this.backend.name} backend cannot write part of a buffer (no uploadRange); use decode programs that return whole caches`);
      const [b, stacked, t, d] = rows.shape as [number, number, number, number];
      const [, heads, , cd] = this.buffers[0]!.shape as [number, number, number, number];
      if (rows.shape.length !== 4 || b !== this.batch || start.length !== b || cd !== d || stacked !== heads * this.buffers.length) {
        throw new Error(`KvCache.append: rows [${rows.shape.join(', ')}] with ${start.length} start positions do not fit ${this.buffers.length} caches [${this.buffers[0]!.shape.join(', ')}]`);
      }
      const data = await this.backend.download(rows);
      for (let r = 0; r < b; r++) {
        for (let j = 0; j < t; j++) {
          const pos = start[r]! + j;
          if (pos < 0 || pos >= this.length) continue;
          for (let i = 0; i < this.buffers.length; i++) {
            for (let h = 0; h < heads; h++) {
              const from = ((r * stacked + i * heads + h) * t + j) * d;
              write(this.buffers[i]!, ((r * heads + h) * this.length + pos) * d, data.subarray(from, from + d));
            }
          }
        }
      }
    } finally {
      this.backend.free(rows);
    }
  }

  /** Takes over new buffers (same layout, possibly a new length) and frees the old ones. */
  replace(buffers: DeviceBuffer[], length = this.length): void {
    if (buffers.length !== this.buffers.length) throw new Error(`KvCache.replace: expected ${this.buffers.length} buffers, got ${buffers.length}`);
    const old = this.buffers;
    this.buffers = buffers;
    this.feedsCache = undefined;
    this.length = length;
    for (const b of old) this.backend.free(b);
  }

  /** Frees the buffers. */
  dispose(): void {
    for (const b of this.buffers) this.backend.free(b);
    this.buffers = [];
    this.feedsCache = undefined;
  }
}
