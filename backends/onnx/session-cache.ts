// Sessions by program hash, least recently used released beyond a limit. A session in use by a run is never
// released under it: eviction marks it, and the last run to finish releases it.

/** What the cache holds: anything with a `release`. */
interface Releasable { release(): Promise<void> }

interface Entry<S extends Releasable> {
  session: Promise<S>;
  ready?: S;
  inFlight: number;
  evicted: boolean;
}

/** A handle held for the duration of one run. */
export interface SessionLease<S extends Releasable> {
  /** The session. */
  session: S;
  /** Ends the lease (releases an evicted session once no run uses it). */
  done(): void;
}

/** LRU cache of inference sessions keyed by program hash. */
export class SessionCache<S extends Releasable> {
  private readonly entries = new Map<string, Entry<S>>();
  private newest?: string;

  /** @param limit most sessions kept (>= 1) */
  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`onnx: maxSessions must be a positive integer (got ${limit})`);
  }

  /** Number of cached sessions. */
  get size(): number { return this.entries.size; }

  /** True when a session for `key` is cached (or being created). */
  has(key: string): boolean { return this.entries.has(key); }

  /** The session for `key` (created with `create` on a miss), leased until `done()`. */
  async acquire(key: string, create: () => Promise<S>): Promise<SessionLease<S>> {
    const ready = this.acquireReady(key);
    if (ready) return ready;
    let e = this.entries.get(key);
    if (e) this.entries.delete(key); // re-insert as most recent
    else {
      const made: Entry<S> = { session: create(), inFlight: 0, evicted: false };
      made.session.then((s) => { made.ready = s; }, () => { if (this.entries.get(key) === made) this.entries.delete(key); });
      e = made;
    }
    this.entries.set(key, e);
    this.newest = key;
    e.inFlight++;
    this.evict();
    const entry = e;
    let session: S;
    try {
      session = await entry.session;
    } catch (err) {
      entry.inFlight--;
      throw err;
    }
    return this.lease(entry, session);
  }

  /** A lease on the session for `key` when it is already created (no await on the hot path), else undefined. */
  acquireReady(key: string): SessionLease<S> | undefined {
    const e = this.entries.get(key);
    if (!e?.ready) return undefined;
    if (this.newest !== key) { // re-insert as most recent
      this.entries.delete(key);
      this.entries.set(key, e);
      this.newest = key;
    }
    e.inFlight++;
    return this.lease(e, e.ready);
  }

  private lease(entry: Entry<S>, session: S): SessionLease<S> {
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

  /** Forgets the session for `key` (released now, or when its last run ends). */
  remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    if (this.newest === key) this.newest = undefined;
    this.drop(e);
  }

  /** Releases every session not in use (those in use are released when their run ends). */
  clear(): void {
    for (const e of this.entries.values()) this.drop(e);
    this.entries.clear();
    this.newest = undefined;
  }

  private evict(): void {
    while (this.entries.size > this.limit) {
      const [key, e] = this.entries.entries().next().value as [string, Entry<S>];
      this.entries.delete(key);
      this.drop(e);
    }
  }

  private drop(e: Entry<S>): void {
    e.evicted = true;
    if (e.inFlight === 0) void e.session.then((s) => s.release()).catch(() => undefined);
  }
}
