// The KV cache of a generation: one keys and one values buffer `[B, kvHeads, L, headDim]` per layer, kept on the
// backend, of a fixed length L chosen from static buckets (powers of two); decode programs read it and return
// either the updated buffers, which replace the old ones, or only the new rows, which `append` writes in place
// (backends with `uploadRange`).
import type { ModelConfig } from './checkpoint/model-config.js';
import type { LayerCache } from './decoder.js';
import type { ComputeBackend, DeviceBuffer } from '../tensor/backend.js';
import type { HostArray } from '../tensor/dtype.js';
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

/** The feeds of a cache's buffers (k0, v0, k1, v1, ...) by name (cache.k.i, cache.v.i). */
export function cacheFeeds(cache: readonly DeviceBuffer[]): Record<string, DeviceBuffer> {
  return Object.fromEntries(cache.map((buf, i) => [cacheFeedNames(i >> 1)[i % 2 === 0 ? 'k' : 'v'], buf]));
}

/** New key/value rows as host data: a `[B, 2 * layers * Hkv, T, D]` program output (k0, v0, k1, ... on axis 1). */
export interface CacheRows {
  data: HostArray;
  /** T of the output. */
  t: number;
  /** Batch row of the output to read. */
  from: number;
  /** First of its T rows to write (default 0). */
  first?: number;
  /** Rows to write. */
  count: number;
}

/**
 * Writes `rows` into batch row `slot` of a cache (`[B, Hkv, L, D]` buffers) at positions pos, pos + 1, ..., in place
 * (needs the backend's `uploadRange`): one contiguous write per buffer and head.
 */
export function writeCacheRows(backend: ComputeBackend, cache: readonly DeviceBuffer[], rows: CacheRows, slot: number, pos: number): void {
  const write = backend.uploadRange?.bind(backend);
  if (!write) throw new Error(`the ${backend.name} backend cannot write part of a buffer (no uploadRange)`);
  const [, h, length, d] = cache[0]!.shape as [number, number, number, number];
  const stacked = h * cache.length, first = rows.first ?? 0;
  cache.forEach((buf, i) => {
    for (let k = 0; k < h; k++) {
      const src = ((rows.from * stacked + i * h + k) * rows.t + first) * d;
      write(buf, ((slot * h + k) * length + pos) * d, rows.data.subarray(src, src + rows.count * d));
    }
  });
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
    this.feedsCache ??= Object.freeze(cacheFeeds(this.buffers));
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
      if (!this.appendable) throw new Error(`KvCache.append: the ${this.backend.name} backend cannot write part of a buffer (no uploadRange); use decode programs that return whole caches`);
      const [b, stacked, t, d] = rows.shape as [number, number, number, number];
      const [, heads, , cd] = this.buffers[0]!.shape as [number, number, number, number];
      if (rows.shape.length !== 4 || b !== this.batch || start.length !== b || cd !== d || stacked !== heads * this.buffers.length) {
        throw new Error(`KvCache.append: rows [${rows.shape.join(', ')}] with ${start.length} start positions do not fit ${this.buffers.length} caches [${this.buffers[0]!.shape.join(', ')}]`);
      }
      const data = await this.backend.download(rows);
      for (let r = 0; r < b; r++) {
        const first = Math.max(0, -start[r]!), end = Math.min(t, this.length - start[r]!);
        if (end > first) writeCacheRows(this.backend, this.buffers, { data, t, from: r, first, count: end - first }, r, start[r]! + first);
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
