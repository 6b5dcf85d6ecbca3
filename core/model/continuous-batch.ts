// Continuous batching with a shared prompt prefix, for throughput over many prompts (judging pairs): a fixed number
// of slots decode together against one KV cache allocated at its final length; a row that ends leaves its slot and
// the next prompt joins at once (rows join and leave as they finish). The prompts' common token prefix (a judge
// template's head) is computed once, kept on the host and copied into every slot, so each prompt computes only its
// own suffix (batch-1 `extend` programs of 64-token chunks against the prefix's cache, slot-cache.ts). Once the
// queue is empty, the live rows move to a smaller batch whenever they fit a smaller power of two. Needs a backend
// with `uploadRange`.
import { decodeRowsProgram } from './decoder-programs.js';
import { GenerationRows, type GenerateOptions, type GenerationResult, type OnToken } from './generation-rows.js';
import { cacheFeeds, lengthBucket, writeCacheRows } from './kv-cache.js';
import type { ModelRunner } from './model-runner.js';
import { allocateCache, EXTEND_CHUNK, PrefixScratch, writePrefix, type Prefix } from './slot-cache.js';
import type { DeviceBuffer } from '../tensor/backend.js';

/** Options of a ContinuousBatcher. */
export interface ContinuousBatchOptions {
  /** Rows decoded together (default 8). Results do not depend on it. */
  slots?: number;
  /** Shortest common prefix worth sharing, in tokens (default 16); shorter ones are computed per prompt. */
  minPrefix?: number;
}

/** Counters of a ContinuousBatcher's work (benchmarks and tests read them). */
export interface ContinuousStats {
  /** generate calls. */
  calls: number;
  /** Shared prefixes prefilled (a later call reuses the kept prefix when its prompts all start with it). */
  prefixBuilds: number;
  /** Prompt tokens read from a shared prefix instead of computed (summed over rows). */
  prefixTokensReused: number;
  /** Prompt tokens computed by extend programs (each row's suffix after the prefix). */
  suffixTokens: number;
  /** Decode steps (one program run each). */
  decodeSteps: number;
  /** Slots stepped in all (decode steps times the batch of each). */
  slotSteps: number;
  /** Slots stepped that held a live row. */
  liveSlotSteps: number;
  /** Times the live rows moved to a smaller batch. */
  compactions: number;
  /** Seconds spent computing prompts (shared prefixes and suffixes, program compiles included). */
  promptSeconds: number;
  /** Seconds spent in decode steps (compiles and cache moves included). */
  decodeSeconds: number;
}

/** Cache length for `n` positions: length buckets up to 256, then multiples of 256 (fewer programs, less waste). */
export function slotCacheLength(n: number, limit: number): number {
  if (n <= 256) return lengthBucket(n, limit);
  if (!(n <= limit)) throw new RangeError(`${n} tokens exceed the model's limit of ${limit} positions`);
  return Math.min(Math.ceil(n / 256) * 256, limit);
}

/** Tokens every prompt starts with. */
export function commonPrefixLength(prompts: readonly (readonly number[])[]): number {
  const first = prompts[0]!;
  let k = first.length;
  for (const p of prompts) {
    let i = 0;
    while (i < k && i < p.length && p[i] === first[i]) i++;
    k = i;
  }
  return k;
}

/** The first n tokens of a prefix (rows `[H, T, D]` cut to `[H, n, D]`). */
function cut(p: Prefix, n: number, heads: number): Prefix {
  const t = p.ids.length;
  if (n === t) return p;
  return {
    ids: p.ids.slice(0, n),
    rows: p.rows.map((r) => {
      const d = r.length / (heads * t), out = new Float32Array(heads * n * d);
      for (let h = 0; h < heads; h++) out.set(r.subarray(h * t * d, (h * t + n) * d), h * n * d);
      return out;
    }),
  };
}

/** Generation over many prompts with a fixed number of slots and a shared prefix; see the file comment. */
export class ContinuousBatcher {
  readonly slots: number;
  readonly minPrefix: number;
  readonly stats: ContinuousStats = { calls: 0, prefixBuilds: 0, prefixTokensReused: 0, suffixTokens: 0, decodeSteps: 0, slotSteps: 0, liveSlotSteps: 0, compactions: 0, promptSeconds: 0, decodeSeconds: 0 };
  private prefix: Prefix | undefined;

  constructor(private readonly model: ModelRunner, options: ContinuousBatchOptions = {}) {
    this.slots = options.slots ?? 8;
    this.minPrefix = options.minPrefix ?? 16;
    if (!Number.isInteger(this.slots) || this.slots < 1) throw new RangeError(`ContinuousBatcher: slots must be a positive integer, got ${this.slots}`);
    if (!Number.isInteger(this.minPrefix) || this.minPrefix < 1) throw new RangeError(`ContinuousBatcher: minPrefix must be a positive integer, got ${this.minPrefix}`);
    if (!model.backend.uploadRange) throw new Error(`ContinuousBatcher: the ${model.backend.name} backend cannot write part of a buffer (no uploadRange); use generate() (static batches)`);
  }

  /** Generates from each prompt (same options and results as `generate`, except `useCache: false`). */
  async generate(prompts: readonly (string | readonly number[])[], options: GenerateOptions = {}, onToken?: OnToken, signal?: AbortSignal): Promise<GenerationResult[]> {
    if (options.useCache === false) throw new Error('ContinuousBatcher.generate: continuous batching always uses the KV cache (useCache false is the reference path of generate())');
    const rows = new GenerationRows(this.model, prompts, options, onToken);
    if (rows.rows.length === 0) return [];
    this.stats.calls++;
    const need = Math.max(...rows.rows.map((r) => r.prompt.length + Math.max(r.limit - 1, 0)));
    const length = slotCacheLength(need, this.model.contextLimit);
    const prefix = await this.prefixFor(rows.rows.map((r) => r.prompt), length);
    const run = new SlotRun(this.model, rows, prefix, length, Math.min(this.slots, rows.rows.length), this.stats, signal);
    try {
      await run.loop();
    } finally {
      run.dispose();
    }
    return rows.results();
  }

  /**
   * The logits after each prompt's last token (token ids; `[vocab]` per prompt), each prompt computed after the
   * shared prefix as generate computes its prompts, one at a time (what ModelJudge reads label logits with).
   */
  async lastLogits(prompts: readonly (readonly number[])[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (prompts.length === 0) return [];
    const limit = this.model.contextLimit;
    prompts.forEach((p, i) => {
      if (p.length === 0 || p.length > limit) throw new RangeError(`ContinuousBatcher.lastLogits: prompt ${i} has ${p.length} tokens; it needs 1 to ${limit}`);
    });
    this.stats.calls++;
    const longest = Math.max(...prompts.map((p) => p.length)), length = slotCacheLength(longest, limit);
    const prefix = await this.prefixFor(prompts, length), tp = prefix?.ids.length ?? 0;
    const scratch = new PrefixScratch(this.model, prefix, length, chunkFor(longest - tp, limit));
    try {
      const out: Float32Array[] = [];
      for (const p of prompts) {
        signal?.throwIfAborted();
        const t0 = performance.now();
        out.push(await scratch.extend(p.slice(tp)));
        this.stats.promptSeconds += (performance.now() - t0) / 1000;
        this.stats.prefixTokensReused += tp;
        this.stats.suffixTokens += p.length - tp;
      }
      return out;
    } finally {
      scratch.dispose();
    }
  }

  // The part of the kept prefix every prompt starts with, when it is long enough and the prompts share little
  // more; else a new prefix shared by two or more prompts; else none. Each row keeps at least one token of its own.
  // A prefix's keys and values at position i depend only on tokens 0..i, so a kept prefix cut short stays exact.
  private async prefixFor(prompts: readonly (readonly number[])[], length: number): Promise<Prefix | undefined> {
    const cap = Math.min(...prompts.map((p) => p.length)) - 1;
    const common = Math.min(commonPrefixLength(prompts), cap);
    const kept = this.prefix;
    const shared = kept ? Math.min(commonPrefixLength([kept.ids, ...prompts]), cap) : 0;
    if (kept && shared >= this.minPrefix && (prompts.length < 2 || common < shared + this.minPrefix)) return cut(kept, shared, this.model.config.numKvHeads);
    if (prompts.length < 2 || common < this.minPrefix) return undefined;
    const t0 = performance.now();
    this.prefix = await this.buildPrefix([...prompts[0]!.slice(0, common)], length);
    this.stats.promptSeconds += (performance.now() - t0) / 1000;
    this.stats.prefixBuilds++;
    return this.prefix;
  }

  // Computes the prefix in chunks (the extend programs the call then uses) and keeps its keys and values on the host.
  private async buildPrefix(ids: number[], length: number): Promise<Prefix> {
    const c = this.model.config, h = c.numKvHeads, d = c.headDim, n = ids.length;
    const rows = Array.from({ length: 2 * c.numLayers }, () => new Float32Array(h * n * d));
    const scratch = new PrefixScratch(this.model, undefined, length, chunkFor(n, this.model.contextLimit));
    try {
      await scratch.extend(ids, (chunk, pos) => rows.forEach((out, i) => {
        for (let k = 0; k < h; k++) {
          const src = (i * h + k) * chunk.t * d;
          out.set(chunk.data.subarray(src, src + chunk.count * d), (k * n + pos) * d);
        }
      }));
    } finally {
      scratch.dispose();
    }
    return { ids, rows };
  }
}

/** Chunk size for suffixes of at most `longest` tokens: EXTEND_CHUNK, or the length bucket of shorter ones. */
const chunkFor = (longest: number, limit: number): number => Math.min(EXTEND_CHUNK, lengthBucket(Math.max(1, longest), limit));

/** One generate call's slots: the batch cache, which row each slot holds, and the queue of rows not yet admitted. */
class SlotRun {
  private cache: DeviceBuffer[];
  private readonly scratch: PrefixScratch;
  private slotRow: number[];
  private next = 0;

  constructor(private readonly m: ModelRunner, private readonly rows: GenerationRows, prefix: Prefix | undefined,
    private readonly length: number, private batch: number, private readonly stats: ContinuousStats, private readonly signal?: AbortSignal) {
    const tp = prefix?.ids.length ?? 0;
    this.slotRow = new Array<number>(batch).fill(-1);
    this.scratch = new PrefixScratch(m, prefix, length, chunkFor(Math.max(...rows.rows.map((r) => r.prompt.length - tp)), m.contextLimit));
    try {
      this.cache = allocateCache(m, batch, length);
    } catch (e) {
      this.scratch.dispose();
      throw e;
    }
    if (prefix) for (let s = 0; s < batch; s++) writePrefix(m, this.cache, length, prefix, s);
  }

  /** Admits rows into every slot, then decodes until every row has ended. */
  async loop(): Promise<void> {
    for (let s = 0; s < this.batch; s++) await this.admit(s);
    while (this.slotRow.some((b) => b >= 0)) {
      this.signal?.throwIfAborted();
      if (this.next >= this.rows.rows.length) await this.compact();
      await this.step();
    }
  }

  dispose(): void {
    for (const b of this.cache) this.m.backend.free(b);
    this.cache = [];
    this.scratch.dispose();
  }

  // Puts the next queued rows into `slot` until one is still live after its first token (or the queue is empty).
  private async admit(slot: number): Promise<void> {
    const all = this.rows.rows, tp = this.scratch.tp;
    while (this.next < all.length) {
      this.signal?.throwIfAborted();
      const b = this.next++, t0 = performance.now();
      const suffix = all[b]!.prompt.slice(tp);
      const logits = await this.scratch.extend(suffix, (rows, pos) => writeCacheRows(this.m.backend, this.cache, rows, slot, pos));
      this.stats.promptSeconds += (performance.now() - t0) / 1000;
      this.stats.prefixTokensReused += tp;
      this.stats.suffixTokens += suffix.length;
      this.rows.step(b, logits);
      if (!all[b]!.done) { this.slotRow[slot] = b; return; }
    }
    this.slotRow[slot] = -1;
  }

  // One decode step of every slot; ended rows hand their slots to queued rows.
  private async step(): Promise<void> {
    const m = this.m, c = m.config, all = this.rows.rows, batch = this.batch, t0 = performance.now();
    const start = this.slotRow.map((b) => (b < 0 ? 0 : all[b]!.prompt.length + all[b]!.tokens.length - 1));
    const ids = this.slotRow.map((b) => (b < 0 ? 0 : all[b]!.tokens.at(-1)!));
    const graph = m.program(`decode-rows:${batch}:${this.length}`, (p) => decodeRowsProgram(c, p, batch, this.length));
    const [out, rowsBuf] = await m.run(graph, cacheFeeds(this.cache), {
      ids: { shape: [batch, 1], dtype: 'i32', data: ids },
      start: { shape: [batch], dtype: 'i32', data: start },
    });
    const data = await m.take(rowsBuf!);
    this.slotRow.forEach((b, s) => { if (b >= 0) writeCacheRows(m.backend, this.cache, { data, t: 1, from: s, count: 1 }, s, start[s]!); });
    const logits = await m.take(out!);
    this.stats.decodeSeconds += (performance.now() - t0) / 1000;
    this.stats.decodeSteps++;
    this.stats.slotSteps += batch;
    this.stats.liveSlotSteps += this.slotRow.filter((b) => b >= 0).length;
    const v = c.vocabSize;
    for (let s = 0; s < batch; s++) {
      const b = this.slotRow[s]!;
      if (b < 0) continue;
      this.rows.step(b, logits.subarray(s * v, (s + 1) * v));
      if (all[b]!.done) await this.admit(s);
    }
  }

  // With the queue empty, moves the live rows into a batch of the next power of two that holds them when that is
  // smaller than the batch now (each slot's cache block is contiguous: one copy per buffer and slot).
  private async compact(): Promise<void> {
    const from = this.slotRow.flatMap((b, s) => (b >= 0 ? [s] : []));
    let to = 1;
    while (to < from.length) to *= 2;
    if (to >= this.batch) return;
    const c = this.m.config, block = c.numKvHeads * this.length * c.headDim, write = this.m.backend.uploadRange!.bind(this.m.backend);
    const t0 = performance.now(), next = allocateCache(this.m, to, this.length);
    try {
      for (let i = 0; i < this.cache.length; i++) {
        const data = await this.m.backend.download(this.cache[i]!);
        from.forEach((s, j) => write(next[i]!, j * block, data.subarray(s * block, (s + 1) * block)));
      }
    } catch (e) {
      for (const b of next) this.m.backend.free(b);
      throw e;
    }
    for (const b of this.cache) this.m.backend.free(b);
    this.cache = next;
    this.slotRow = [...from.map((s) => this.slotRow[s]!), ...new Array<number>(to - from.length).fill(-1)];
    this.batch = to;
    this.stats.compactions++;
    this.stats.decodeSeconds += (performance.now() - t0) / 1000;
  }
}
