// The distributed-labeling job model over BullMQ: a job judges (or proves) one pair; its BullMQ job id is the pair
// id, so adding the same pair twice does nothing, and its result is written exactly once (HSETNX) to a Redis hash
// keyed by pair id. Relies on bullmq 6 and ioredis (a real Redis server).
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { JudgeOutcome } from '../../core/reward/evaluator.js';

/** What a job asks a worker to do. `prove` is reserved: workers reject it as not yet supported. */
export type JobKind = 'judge' | 'prove';

/** The payload of a `judge` job. */
export interface JudgePayload {
  /** Absolute path of the model folder (a train-grm output or any GRM); workers must see the same path. */
  model: string;
  /** The pair as the judge sees it. */
  pair: { prompt: string; a: string; b: string };
  /** Rows per model call for judgeForModel (default 8). */
  batchSize?: number;
}

/** One queued job. */
export interface LabelJob {
  /** The pair's id: also the BullMQ job id and the results-hash field. */
  pairId: string;
  /** What to do. */
  kind: JobKind;
  /** The work itself (a JudgePayload for `judge`). */
  payload: JudgePayload;
}

/** A finished job's result as stored in the results hash. */
export interface LabelResult extends JudgeOutcome {
  /** Which worker wrote it (`host:pid`). */
  worker: string;
}

/** Default queue name. */
export { DEFAULT_QUEUE } from './queue-judge-stage.js';

/** BullMQ connection options for a `redis://` URL (workers need `maxRetriesPerRequest: null`). */
export function connectionFor(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null };
}

/** The Redis hash that holds the results of queue `queue`, keyed by pair id. */
export function resultsKey(queue: string): string {
  return `gramr:${queue}:results`;
}

/**
 * The BullMQ job id of a pair: the pair id itself. BullMQ rejects custom ids that contain ":" or are plain
 * integers, so those characters are escaped (":" -> "%3A", a leading "%" -> "%25", an integer gets a "#" prefix).
 */
export function jobIdFor(pairId: string): string {
  const id = pairId.replaceAll('%', '%25').replaceAll(':', '%3A');
  return /^\d+$/.test(id) ? `#${id}` : id;
}

/** Adds jobs (idempotent: a job id already in the queue, in any state, is left as it is). */
export async function enqueue(queue: Queue, jobs: LabelJob[], attempts = 3): Promise<void> {
  if (jobs.length === 0) return;
  await queue.addBulk(jobs.map((j) => ({ name: j.kind, data: j, opts: { jobId: jobIdFor(j.pairId), attempts, removeOnFail: false } })));
}

/** Writes a result unless one is already there; true when this call wrote it. */
export async function writeResultOnce(redis: Redis, queue: string, pairId: string, result: LabelResult): Promise<boolean> {
  return (await redis.hsetnx(resultsKey(queue), pairId, JSON.stringify(result))) === 1;
}

/** The stored results of `pairIds` (undefined where none yet), in the order given. */
export async function readResults(redis: Redis, queue: string, pairIds: string[]): Promise<Array<LabelResult | undefined>> {
  const out: Array<LabelResult | undefined> = [];
  for (let i = 0; i < pairIds.length; i += 1000) {
    const got = await redis.hmget(resultsKey(queue), ...pairIds.slice(i, i + 1000));
    for (const g of got) out.push(g === null ? undefined : (JSON.parse(g) as LabelResult));
  }
  return out;
}

/** A plain ioredis client for `url` that fails fast (for reads, writes and the liveness check). */
export function redisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false });
}
