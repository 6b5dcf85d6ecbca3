// MicroBatcher: merges the items of concurrent requests into backend calls. Items that arrive within `windowMs`
// of the first queued one (or until `maxBatch` are queued) go into one call; calls run one at a time (the backend
// is single), a request's items may span calls, and each request gets exactly its own results back, in order.
// A request whose signal aborts before its items are sent is dropped from the queue.

/** One request's items waiting in the queue. */
interface Entry<I, O> {
  items: readonly I[];
  next: number;
  results: O[];
  outstanding: number;
  signal: AbortSignal | undefined;
  resolve: (o: O[]) => void;
  reject: (e: unknown) => void;
}

/** Options of a MicroBatcher. */
export interface MicroBatcherOptions {
  /** Most items per backend call. */
  maxBatch: number;
  /** How long the first queued item waits for company before its call starts (ms). */
  windowMs: number;
  /** Called with the size of every backend call (metrics). */
  onBatch?: (size: number) => void;
}

/** Batches the items of concurrent `run` calls through one `process` function (see the file header). */
export class MicroBatcher<I, O> {
  private queue: Array<Entry<I, O>> = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly process: (items: I[]) => Promise<O[]>, private readonly options: MicroBatcherOptions) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`MicroBatcher: maxBatch must be a positive integer, got ${options.maxBatch}`);
  }

  /** Results for `items`, in order, computed in shared backend calls. */
  run(items: readonly I[], signal?: AbortSignal): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    signal?.throwIfAborted();
    return new Promise<O[]>((resolve, reject) => {
      this.queue.push({ items, next: 0, results: new Array<O>(items.length), outstanding: items.length, signal, resolve, reject });
      this.schedule();
    });
  }

  private queued(): number {
    return this.queue.reduce((n, e) => n + e.items.length - e.next, 0);
  }

  private schedule(): void {
    if (this.running) return;
    if (this.queued() >= this.options.maxBatch) {
      if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, this.options.windowMs);
    }
  }

  private async flush(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        // Drop requests that gave up while waiting (their callers already answered).
        this.queue = this.queue.filter((e) => {
          if (e.signal?.aborted && e.next === 0) { e.reject(e.signal.reason); return false; }
          return true;
        });
        const take: Array<{ entry: Entry<I, O>; index: number }> = [];
        for (const entry of this.queue) {
          while (entry.next < entry.items.length && take.length < this.options.maxBatch) take.push({ entry, index: entry.next++ });
          if (take.length === this.options.maxBatch) break;
        }
        this.queue = this.queue.filter((e) => e.next < e.items.length);
        if (take.length === 0) break;
        this.options.onBatch?.(take.length);
        try {
          const out = await this.process(take.map((t) => t.entry.items[t.index]!));
          if (out.length !== take.length) throw new Error(`MicroBatcher: the backend returned ${out.length} results for ${take.length} items`);
          take.forEach((t, n) => {
            t.entry.results[t.index] = out[n]!;
            if (--t.entry.outstanding === 0) t.entry.resolve(t.entry.results);
          });
        } catch (e) {
          const failed = new Set(take.map((t) => t.entry));
          for (const entry of failed) entry.reject(e);
          this.queue = this.queue.filter((q) => !failed.has(q));
        }
        // Give requests that arrived meanwhile a chance to join the next call only if it is not already full.
        if (this.queued() > 0 && this.queued() < this.options.maxBatch) await new Promise((r) => setTimeout(r, this.options.windowMs));
      }
    } finally {
      this.running = false;
    }
  }
}
