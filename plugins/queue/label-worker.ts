// A BullMQ worker that processes `judge` jobs: loads the model a job names with judgeForModel (cached per path),
// judges the pair and writes the result once to the results hash. A killed worker's active jobs stall; BullMQ moves
// them back to the queue after `lockDuration`, and another worker judges them (the HSETNX keeps one result).
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { silentProgress } from '../../core/pipeline/task-context.js';
import { judgeForModel, type GrmJudge } from '../grm/judge-for-model.js';
import { connectionFor, redisClient, writeResultOnce, type LabelJob, type LabelResult } from './job-model.js';

/** Options of startLabelWorker. */
export interface LabelWorkerOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  redis: string;
  /** Queue name. */
  queue: string;
  /** Jobs processed at once (default 1). */
  concurrency?: number;
  /** Job lock in ms: a dead worker's jobs are retried after about this long (default 30000). */
  lockDurationMs?: number;
  /** Called after each result this worker wrote (or found already written). */
  onResult?: (pairId: string, wrote: boolean) => void;
}

/** A running worker: `close` stops it and frees its models. */
export interface LabelWorker {
  /** Stop taking jobs, wait for the active ones, free the models and connections. */
  close(): Promise<void>;
}

/** Starts a worker on `backend`. */
export function startLabelWorker(backend: ComputeBackend, o: LabelWorkerOptions): LabelWorker {
  const me = `${hostname()}:${process.pid}`;
  const judges = new Map<string, Promise<GrmJudge>>();
  const redis = redisClient(o.redis);
  const judgeOf = (model: string, batchSize: number | undefined): Promise<GrmJudge> => {
    const key = `${model}\n${batchSize ?? 8}`;
    let j = judges.get(key);
    if (!j) {
      j = judgeForModel(model, backend, { batchSize: batchSize ?? 8 });
      judges.set(key, j);
    }
    return j;
  };
  const handle = async (job: Job<LabelJob>): Promise<LabelResult> => {
    const { pairId, kind, payload } = job.data;
    if (kind !== 'judge') throw new UnrecoverableError(`job ${job.id} (pair ${pairId}): kind "${kind}" is not supported by this worker; supported: judge`);
    const judge = await judgeOf(payload.model, payload.batchSize);
    const [out] = await judge([payload.pair], { signal: new AbortController().signal, progress: silentProgress, seed: 0 });
    if (!out) throw new Error(`job ${job.id} (pair ${pairId}): the judge returned no outcome`);
    const result: LabelResult = { ...out, worker: me };
    const wrote = await writeResultOnce(redis, o.queue, pairId, result);
    o.onResult?.(pairId, wrote);
    return result;
  };
  const lock = o.lockDurationMs ?? 30000;
  const worker = new Worker<LabelJob, LabelResult>(o.queue, handle, {
    connection: connectionFor(o.redis), concurrency: o.concurrency ?? 1,
    lockDuration: lock, stalledInterval: Math.max(500, Math.floor(lock / 2)), maxStalledCount: 3,
  });
  worker.on('failed', (job, err) => {
    process.stderr.write(`gramr work: job ${job?.id ?? '?'} failed: ${err.message}\n`);
  });
  return {
    async close(): Promise<void> {
      await worker.close();
      for (const j of judges.values()) (await j.catch(() => undefined))?.dispose();
      redis.disconnect();
    },
  };
}
