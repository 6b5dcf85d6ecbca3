// MicroBatcher: merges the items of concurrent requests into backend calls. Items that arrive within `windowMs`
// of the first queued one (or until `maxBatch` units of work are queued) go into one call; calls run one at a time
// (the backend is single), with a turn of the event loop between them so other requests (/healthz, timeouts) are
// served; a request's items may span calls, and each request gets exactly its own results back, in order. A request
// whose signal aborts is dropped with all its items not yet sent. A failed call that merged several requests is
// retried per request, so one bad request fails alone.

/** One request's items waiting in the queue. */
interface Entry<I, O> {
  items: readonly I[];
  next: number;
  results: O[];
  outstanding: number;
  signal: AbortSignal | undefined;
  settled: boolean;
  resolve: (o: O[]) => void;
  reject: (e: unknown) => void;
}

type Take<I, O> = Array<{ entry: Entry<I, O>; index: number }>;

/** Options of a MicroBatcher. */
export interface MicroBatcherOptions<I> {
  /** Most units of work per backend call (a call always takes at least one item). */
  maxBatch: number;
  /** How long the first queued item waits for company before its call starts (ms). */
  windowMs: number;
  /** The units of work of one item (e.g. the generations a pair with votes costs); default 1. */
  weight?: (item: I) => number;
  /** Called with the units of work of every backend call (metrics). */
  onBatch?: (size: number) => void;
}

/** A few turns of the event loop: enough for a waiting connection to be accepted, read and answered. */
async function nextTurn(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/** Batches the items of concurrent `run` calls through one `process` function (see the file header). */
export class MicroBatcher<I, O> {
  private queue: Array<Entry<I, O>> = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly weight: (item: I) => number;

  constructor(private readonly process: (items: I[]) => Promise<O[]>, private readonly options: MicroBatcherOptions<I>) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`MicroBatcher: maxBatch must be a positive integer, got ${options.maxBatch}`);
    this.weight = options.weight ?? (() => 1);
  }

  /** Results for `items`, in order, computed in shared backend calls. */
  run(items: readonly I[], signal?: AbortSignal): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    signal?.throwIfAborted();
    return new Promise<O[]>((resolve, reject) => {
      const entry: Entry<I, O> = { items, next: 0, results: new Array<O>(items.length), outstanding: items.length, signal, settled: false, resolve, reject };
      this.queue.push(entry);
      signal?.addEventListener('abort', () => this.settle(entry, signal.reason), { once: true });
      this.schedule();
    });
  }

  private queued(): number {
    let n = 0;
    for (const e of this.queue) for (let i = e.next; i < e.items.length; i++) n += this.weight(e.items[i]!);
    return n;
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

  // Resolve or reject an entry once; a rejected entry leaves the queue with its unsent items.
  private settle(entry: Entry<I, O>, error?: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    if (error === undefined) entry.resolve(entry.results);
    else { entry.reject(error); this.queue = this.queue.filter((e) => e !== entry); }
  }

  private takeNext(): Take<I, O> {
    const take: Take<I, O> = [];
    let work = 0;
    for (const entry of this.queue) {
      while (entry.next < entry.items.length) {
        const w = this.weight(entry.items[entry.next]!);
        if (take.length > 0 && work + w > this.options.maxBatch) break;
        take.push({ entry, index: entry.next++ });
        work += w;
      }
      if (entry.next < entry.items.length) break;
    }
    this.queue = this.queue.filter((e) => e.next < e.items.length);
    if (take.length > 0) this.options.onBatch?.(work);
    return take;
  }

  private async flush(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const take = this.takeNext();
        if (take.length === 0) break;
        await this.call(take, true);
        await nextTurn();
        // Give requests that arrived meanwhile a chance to join the next call only if it is not already full.
        const q = this.queued();
        if (q > 0 && q < this.options.maxBatch) await new Promise((r) => setTimeout(r, this.options.windowMs));
      }
    } finally {
      this.running = false;
    }
  }

  // One backend call; when it fails and merged several requests, each request's part is retried on its own.
  private async call(take: Take<I, O>, mayRetry: boolean): Promise<void> {
    const live = take.filter((t) => !t.entry.settled);
    if (live.length === 0) return;
    try {
      const out = await this.process(live.map((t) => t.entry.items[t.index]!));
      if (out.length !== live.length) throw new Error(`MicroBatcher: the backend returned ${out.length} results for ${live.length} items`);
      live.forEach((t, n) => {
        t.entry.results[t.index] = out[n]!;
        if (--t.entry.outstanding === 0) this.settle(t.entry);
      });
    } catch (e) {
      const entries = [...new Set(live.map((t) => t.entry))];
      if (!mayRetry || entries.length === 1) { for (const entry of entries) this.settle(entry, e); return; }
      for (const entry of entries) {
        await nextTurn();
        await this.call(live.filter((t) => t.entry === entry), false);
      }
    }
  }
}
