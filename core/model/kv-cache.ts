// The KV cache of a generation: one keys and one values buffer `[B, kvHeads, L, headDim]` per layer, kept on the
// backend, of a fixed length L chosen from static buckets (powers of two); decode programs read it and return the
// updated buffers, which replace the old ones. Relies on core/tensor's backend contract and decoder.ts's types.
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

/** A cache's device buffers for one batch, replaced after every program that updates it. */
export class KvCache {
  private buffers: DeviceBuffer[];

  /**
   * @param backend owner of the buffers
   * @param batch rows
   * @param length L, the bucket the buffers have
   * @param buffers k0, v0, k1, v1, ... (taken over: freed by `replace` / `dispose`)
   */
  constructor(private readonly backend: ComputeBackend, readonly batch: number, public length: number, buffers: DeviceBuffer[]) {
    this.buffers = buffers;
  }

  /** The feeds of a decode program by name. */
  feeds(): Record<string, DeviceBuffer> {
    const f: Record<string, DeviceBuffer> = {};
    for (let i = 0; i < this.buffers.length / 2; i++) {
      const n = cacheFeedNames(i);
      f[n.k] = this.buffers[2 * i]!;
      f[n.v] = this.buffers[2 * i + 1]!;
    }
    return f;
  }

  /** Takes over new buffers (same layout, possibly a new length) and frees the old ones. */
  replace(buffers: DeviceBuffer[], length = this.length): void {
    if (buffers.length !== this.buffers.length) throw new Error(`KvCache.replace: expected ${this.buffers.length} buffers, got ${buffers.length}`);
    const old = this.buffers;
    this.buffers = buffers;
    this.length = length;
    for (const b of old) this.backend.free(b);
  }

  /** Frees the buffers. */
  dispose(): void {
    for (const b of this.buffers) this.backend.free(b);
    this.buffers = [];
  }
}
