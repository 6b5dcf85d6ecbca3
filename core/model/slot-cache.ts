// The KV caches of continuous batching (continuous-batch.ts): `[B, Hkv, L, D]` buffers per layer (k0, v0, k1, ...),
// written in place with `uploadRange` (kv-cache.ts's writeCacheRows); a shared prefix kept on the host and copied
// into cache slots; and the
// batch-1 scratch cache that computes a prompt's suffix after the prefix in fixed-size chunks (one `extend` program
// shape per cache length, at most chunk - 1 padded tokens per prompt).
import { extendProgram } from './decoder-programs.js';
import { cacheFeeds, writeCacheRows, type CacheRows } from './kv-cache.js';
import type { ModelRunner } from './model-runner.js';
import type { DeviceBuffer } from '../tensor/backend.js';

/** A shared prefix: its token ids and its keys/values on the host, `[Hkv, T, D]` per cache buffer (k0, v0, k1, ...). */
export interface Prefix {
  ids: number[];
  rows: Float32Array[];
}

/** Longest chunk a suffix is computed in. */
export const EXTEND_CHUNK = 64;

/** Buffers of a cache of `batch` rows and `length` positions (freed here if an allocation fails). */
export function allocateCache(m: ModelRunner, batch: number, length: number): DeviceBuffer[] {
  const c = m.config, shape = [batch, c.numKvHeads, length, c.headDim], out: DeviceBuffer[] = [];
  try {
    for (let i = 0; i < 2 * c.numLayers; i++) out.push(m.backend.allocate(shape, 'f32'));
  } catch (e) {
    for (const b of out) m.backend.free(b);
    throw e;
  }
  return out;
}

/** Writes a prefix into positions [0, T) of slot `slot`. */
export function writePrefix(m: ModelRunner, cache: readonly DeviceBuffer[], length: number, prefix: Prefix, slot: number): void {
  const write = m.backend.uploadRange!.bind(m.backend), h = m.config.numKvHeads, d = m.config.headDim, n = prefix.ids.length * d;
  cache.forEach((buf, i) => {
    for (let k = 0; k < h; k++) write(buf, (slot * h + k) * length * d, prefix.rows[i]!.subarray(k * n, (k + 1) * n));
  });
}

/** Extends the prefix with one prompt's suffix at a time, in chunks, on a batch-1 cache holding the prefix. */
export class PrefixScratch {
  private cache: DeviceBuffer[];
  readonly tp: number;

  constructor(private readonly m: ModelRunner, prefix: Prefix | undefined, readonly length: number, readonly chunk: number) {
    this.tp = prefix?.ids.length ?? 0;
    this.cache = allocateCache(m, 1, length);
    if (prefix) writePrefix(m, this.cache, length, prefix, 0);
  }

  /**
   * Computes `suffix` at positions tp, tp + 1, ... (each chunk attends to the prefix and the chunks before it;
   * whatever an earlier suffix left after tp is overwritten or masked). `onRows` gets each chunk's new keys and
   * values (`[1, stacked, chunk, D]`, `count` valid rows at position `pos`). Returns the logits after the last token.
   */
  async extend(suffix: readonly number[], onRows?: (rows: CacheRows, pos: number) => void): Promise<Float32Array> {
    const m = this.m, c = m.config, t = this.chunk, length = this.length;
    const graph = m.program(`extend:1:${t}:${length}`, (p) => extendProgram(c, p, 1, t, length));
    let logits: Float32Array | undefined;
    for (let off = 0; off < suffix.length; off += t) {
      const part = suffix.slice(off, off + t), pos = this.tp + off;
      const [out, rowsBuf] = await m.run(graph, cacheFeeds(this.cache), {
        ids: { shape: [1, t], dtype: 'i32', data: m.padIds([part], t) },
        start: { shape: [1], dtype: 'i32', data: [pos] },
        last: { shape: [1], dtype: 'i32', data: [part.length - 1] },
      });
      const rows = { data: await m.take(rowsBuf!), t, from: 0, count: part.length };
      writeCacheRows(m.backend, this.cache, rows, 0, pos);
      onRows?.(rows, pos);
      // Only the last chunk's logits are read; the others are freed without a download.
      if (off + t >= suffix.length) logits = await m.take(out!);
      else m.backend.free(out!);
    }
    if (!logits) throw new RangeError('PrefixScratch.extend: empty suffix (every prompt keeps at least one token after the prefix)');
    return logits;
  }

  dispose(): void {
    for (const b of this.cache) this.m.backend.free(b);
    this.cache = [];
  }
}
