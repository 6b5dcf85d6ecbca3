// Sessions by program hash, least recently used released beyond a limit. A session in use by a run is never
// released under it: eviction marks it, and the last run to finish releases it.
import type * as Ort from 'onnxruntime-node';

interface Entry {
  session: Promise<Ort.InferenceSession>;
  inFlight: number;
  evicted: boolean;
}

/** A handle held for the duration of one run. */
export interface SessionLease {
  /** The session. */
  session: Ort.InferenceSession;
  /** Ends the lease (releases an evicted session once no run uses it). */
  done(): void;
}

/** LRU cache of inference sessions keyed by program hash. */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  /** @param limit most sessions kept (>= 1) */
  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`onnx: maxSessions must be a positive integer (got ${limit})`);
  }

  /** Number of cached sessions. */
  get size(): number { return this.entries.size; }

  /** True when a session for `key` is cached (or being created). */
  has(key: string): boolean { return this.entries.has(key); }

  /** The session for `key` (created with `create` on a miss), leased until `done()`. */
  async acquire(key: string, create: () => Promise<Ort.InferenceSession>): Promise<SessionLease> {
    let e = this.entries.get(key);
    if (e) this.entries.delete(key); // re-insert as most recent
    else {
      e = { session: create(), inFlight: 0, evicted: false };
      e.session.catch(() => { if (this.entries.get(key) === e) this.entries.delete(key); });
    }
    this.entries.set(key, e);
    e.inFlight++;
    this.evict();
    const entry = e;
    let session: Ort.InferenceSession;
    try {
      session = await entry.session;
    } catch (err) {
      entry.inFlight--;
      throw err;
    }
    let ended = false;
    return {
      session,
      done: () => {
        if (ended) return;
        ended = true;
        entry.inFlight--;
        if (entry.evicted && entry.inFlight === 0) void session.release().catch(() => undefined);
      },
    };
  }

  /** Releases every session not in use (those in use are released when their run ends). */
  clear(): void {
    for (const e of this.entries.values()) this.drop(e);
    this.entries.clear();
  }

  private evict(): void {
    while (this.entries.size > this.limit) {
      const [key, e] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(key);
      this.drop(e);
    }
  }

  private drop(e: Entry): void {
    e.evicted = true;
    if (e.inFlight === 0) void e.session.then((s) => s.release()).catch(() => undefined);
  }
}
