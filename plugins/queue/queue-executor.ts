// Running a stage's per-pair jobs through the queue and collecting their results: QueueRun reads the results already
// stored for the job spec, enqueues only the missing items (idempotent: the job id is spec + item key), requeues
// jobs that failed for good in an earlier run with this run's payload, and waits for the results the caller asks for,
// in the order asked. The one polling loop of queue-judge, self-train (votes, proofs) and synthesize-rationales.
// bullmq loads on first use.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { redactCredentials } from '../../core/pipeline/redact-credentials.js';
import type { QueueExecutorOptions } from './executor-options.js';
import type { JobKind, LabelJob } from './job-model.js';

/** One job to run: its item key (unique within a run), the pair id and the kind's payload. */
export interface QueueItem {
  /** The item key (job-model's itemKey): the results-hash field. */
  key: string;
  /** The pair's id (for messages). */
  pairId: string;
  /** The payload of the job kind. */
  payload: unknown;
}

/** What a run did before waiting. */
export interface QueueRunStats {
  /** Items of the run. */
  total: number;
  /** Items whose result was already stored when the run started (not enqueued). */
  storedBefore: number;
  /** Jobs handed to the queue (items without a stored result; one already queued counts but is not added twice). */
  enqueued: number;
  /** Jobs that had failed for good in an earlier run and were retried. */
  retried: number;
}

type JobModel = typeof import('./job-model.js');

/** The jobs of one kind and spec on one queue, and their results (see the file header). */
export class QueueRun<R> {
  private readonly results = new Map<string, R>();
  private readonly missing: Set<string>;
  private lastLen = -1;
  private lastFailed = -1;
  private lastChange = Date.now();

  private constructor(private readonly q: QueueExecutorOptions, private readonly spec: string, private readonly jm: JobModel,
    private readonly redis: Redis, private readonly queue: Queue, readonly stats: QueueRunStats, stored: Map<string, R>,
    missing: string[], private readonly where: string) {
    for (const [k, v] of stored) this.results.set(k, v);
    this.missing = new Set(missing);
  }

  /**
   * Starts a run of `kind` jobs under `spec`: reads the stored results of `items`, enqueues the rest. Duplicate item
   * keys are an error naming `where`. Close the run when done.
   */
  static async start<R>(q: QueueExecutorOptions, kind: JobKind, spec: string, items: readonly QueueItem[], where: string): Promise<QueueRun<R>> {
    const seen = new Set<string>();
    for (const it of items) {
      if (seen.has(it.key)) throw new Error(`${where}: pair id "${it.pairId}" appears twice; ids must be unique (they key the jobs and results)`);
      seen.add(it.key);
    }
    // bullmq and ioredis load here, not at plugin load: every command builds the container, few use the queue.
    const [{ Queue }, jm] = await Promise.all([import('bullmq'), import('./job-model.js')]);
    const redis = jm.redisClient(q.redis);
    const queue = new Queue(q.queue, { connection: jm.connectionFor(q.redis) });
    // Connection errors surface as failed commands (and in the message below), not as unhandled error events.
    let lastError = '';
    redis.on('error', (e: Error) => { lastError = e.message; });
    queue.on('error', (e: Error) => { lastError = e.message; });
    try {
      await redis.ping();
      const keys = items.map((it) => it.key);
      const got = await jm.readResults<R>(redis, q.queue, spec, keys);
      const stored = new Map<string, R>();
      got.forEach((r, i) => { if (r !== undefined) stored.set(keys[i]!, r); });
      const todo = items.filter((it) => !stored.has(it.key));
      // A job that failed for good in an earlier run (or a forged one holding the job id) is removed and queued
      // again with this run's payload.
      let retried = 0;
      const todoIds = new Set(todo.map((it) => jm.jobIdFor(spec, it.key)));
      if (todoIds.size > 0 && (await queue.getFailedCount()) > 0) {
        for (const job of await queue.getFailed()) {
          if (job?.id !== undefined && todoIds.has(job.id)) { await job.remove(); retried++; }
        }
      }
      await jm.enqueue(queue, todo.map((it) => ({ pairId: it.pairId, key: it.key, spec, kind, payload: it.payload }) as LabelJob), q.attempts);
      const stats = { total: items.length, storedBefore: stored.size, enqueued: todo.length, retried };
      return new QueueRun<R>(q, spec, jm, redis, queue, stats, stored, todo.map((it) => it.key), where);
    } catch (e) {
      await queue.close();
      redis.disconnect();
      const why = `${(e as Error).message}${lastError && lastError !== (e as Error).message ? ` (${lastError})` : ''}`;
      throw new Error(redactCredentials(`${where}: the queue "${q.queue}" at ${q.redis} could not be used: ${why}; is Redis running there?`));
    }
  }

  /** Results known so far (stored before the run or arrived since). */
  get done(): number {
    return this.results.size;
  }

  /** The known result of an item, if any. */
  get(key: string): R | undefined {
    return this.results.get(key);
  }

  /**
   * Waits until every item of `keys` (some or all of the run's items) has a result and returns them in that order.
   * `onProgress` gets the run's count of known results whenever it grows. Stops on abort, on a job that failed for
   * good, and after `timeoutS` without a new result.
   */
  async collect(keys: readonly string[], signal: AbortSignal, onProgress?: (done: number) => void): Promise<R[]> {
    for (const k of keys) {
      if (!this.results.has(k) && !this.missing.has(k)) throw new Error(`${this.where}: item "${k}" is not part of this queue run`);
    }
    while (keys.some((k) => !this.results.has(k))) {
      signal.throwIfAborted();
      const before = this.results.size;
      await this.poll();
      if (this.results.size !== before) onProgress?.(this.results.size);
      if (keys.every((k) => this.results.has(k))) break;
      await this.checkFailed();
      if (this.q.timeoutS !== undefined && Date.now() - this.lastChange > this.q.timeoutS * 1000) {
        throw new Error(redactCredentials(`${this.where}: no new result for ${this.q.timeoutS} s (${this.results.size}/${this.stats.total} done) on queue "${this.q.queue}" at ${this.q.redis}; `
          + `are workers running (gramr work --redis ${this.q.redis} --queue ${this.q.queue})?`));
      }
      await new Promise((r) => setTimeout(r, this.q.pollMs));
    }
    return keys.map((k) => this.results.get(k)!);
  }

  /** Closes the connections (jobs and results stay in Redis). */
  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }

  // Reads the missing results when the hash grew (HLEN is O(1); HMGET only then).
  private async poll(): Promise<void> {
    if (this.missing.size === 0) return;
    const len = await this.redis.hlen(this.jm.resultsKey(this.q.queue, this.spec));
    if (len === this.lastLen) return;
    this.lastLen = len;
    const ids = [...this.missing];
    const got = await this.jm.readResults<R>(this.redis, this.q.queue, this.spec, ids);
    got.forEach((r, i) => {
      if (r === undefined) return;
      this.results.set(ids[i]!, r);
      this.missing.delete(ids[i]!);
      this.lastChange = Date.now();
    });
  }

  // Fails when a job of a still-missing pair failed for good (checked when the failed count changes).
  private async checkFailed(): Promise<void> {
    const n = await this.queue.getFailedCount();
    if (n === this.lastFailed) return;
    this.lastFailed = n;
    if (n === 0) return;
    const byJob = new Map([...this.missing].map((k) => [this.jm.jobIdFor(this.spec, k), k]));
    for (const job of await this.queue.getFailed()) {
      const key = job?.id !== undefined ? byJob.get(job.id) : undefined;
      if (job && key !== undefined) {
        this.lastLen = -1;
        await this.poll();
        if (this.results.has(key)) continue;
        throw new Error(`${this.where}: the ${job.name} job for pair "${(job.data as LabelJob).pairId}" failed after ${job.attemptsMade} attempt(s): ${job.failedReason}; fix the cause and rerun (a rerun retries it)`);
      }
    }
  }
}

/** Runs `items` through the queue and returns every result in item order, with the run's stats. */
export async function runQueued<R>(q: QueueExecutorOptions, kind: JobKind, spec: string, items: readonly QueueItem[], signal: AbortSignal, where: string,
  onProgress?: (done: number, total: number) => void): Promise<{ results: R[]; stats: QueueRunStats }> {
  const run = await QueueRun.start<R>(q, kind, spec, items, where);
  try {
    onProgress?.(run.done, items.length);
    const results = await run.collect(items.map((it) => it.key), signal, (done) => onProgress?.(done, items.length));
    return { results, stats: run.stats };
  } finally {
    await run.close();
  }
}
