// The distributed-labeling job model over BullMQ: a job does one kind of work (judge, vote, prove) for one pair under
// one job spec (model path + model content sha + settings, hashed). Its item key is the pair id plus a hash of what the
// job reads of the pair; its BullMQ job id is spec + item key, so adding the same job twice does nothing, and its
// result is written exactly once (HSETNX) to the Redis hash of queue + spec under the item key: another model, other
// settings or changed pair content on the same queue never see it.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { Queue, ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Label, PreferencePair } from '../../core/data/records.js';
import { canonicalJson, hashPath, walkTree } from '../../core/pipeline/hash.js';
import type { ProofResult } from '../../core/recipe/prover.js';
import type { JudgeOutcome } from '../../core/reward/evaluator.js';
import type { VerdictLike } from '../self-training/pseudo-label.js';
import type { VoteSettings } from '../self-training/vote-judge.js';
import { resolveModelPath } from '../../core/hub/resolve-model.js';

export { DEFAULT_QUEUE } from './executor-options.js';

/** What a job asks a worker to do: judge a pair once, cast a pair's n self-training votes, or prove a label. */
export type JobKind = 'judge' | 'vote' | 'prove';

/** The job kinds, for messages. */
export const JOB_KINDS: readonly JobKind[] = ['judge', 'vote', 'prove'];

/** What every payload names: the model and its content identity. */
export interface ModelRef {
  /** Absolute path of the model folder; workers must see the same path (a shared disk). */
  model: string;
  /** sha256 of the model folder's content (modelIdentity), required; a worker refuses the job when its copy differs. */
  modelSha: string;
}

/** The payload of a `judge` job (judgeForModel, greedy). */
export interface JudgePayload extends ModelRef {
  /** The pair as the judge sees it. */
  pair: { prompt: string; a: string; b: string };
  /** Rows per model call for judgeForModel (default 8). */
  batchSize?: number;
}

/** The payload of a `vote` job: the n sampled votes of self-training's pseudo-labeling for one pair. */
export interface VotePayload extends ModelRef {
  /** The pair (its id seeds the votes). */
  pair: { id: string; prompt: string; a: string; b: string; instruction?: string };
  /** The strategy's voting settings. */
  settings: VoteSettings;
  /** The round's seed (each vote samples from a seed derived from it, the pair id, the order and the sample). */
  seed: number;
}

/** The payload of a `prove` job: k prover candidates for one pair and label, rule-checked and scored. */
export interface ProvePayload extends ModelRef {
  /** The pair and the label to justify. */
  request: { pair: PreferencePair; label: Label };
  /** The Prover kind and the options the model was trained with (its gramr.json). */
  prover: { kind: string; trained: Record<string, unknown> };
  /** The synthesis settings (k, temperature, maxTokens, rules, ...) with the base seed filled in. */
  synthesis: Record<string, unknown> & { seed: number };
}

/** What every job carries besides its payload. */
export interface JobHead {
  /** The pair's id (for messages). */
  pairId: string;
  /** The item key (itemKey): the results-hash field and, after the spec, the job id. */
  key: string;
  /** The job spec (jobSpec). */
  spec: string;
}

/** One queued job: what, for which pair, under which spec. */
export type LabelJob =
  | (JobHead & { kind: 'judge'; payload: JudgePayload })
  | (JobHead & { kind: 'vote'; payload: VotePayload })
  | (JobHead & { kind: 'prove'; payload: ProvePayload });

/** A `judge` result as stored. */
export interface LabelResult extends JudgeOutcome {
  /** Which worker wrote it (`host:pid`). */
  worker: string;
}

/** A `vote` result as stored: the verdict without the generated texts. */
export type VoteResult = VerdictLike & {
  /** Which worker wrote it. */
  worker: string;
};

/** A `prove` result as stored: the whole ProofResult (candidates included). */
export type ProveResult = ProofResult & {
  /** Which worker wrote it. */
  worker: string;
};

/** BullMQ connection options for a `redis://` URL (workers need `maxRetriesPerRequest: null`). */
export function connectionFor(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null };
}

/** The job spec: 24 hex digits of sha256 over the kind, the model path, its content sha and the settings. */
export function jobSpec(kind: JobKind, ref: ModelRef, settings: unknown): string {
  return createHash('sha256').update(canonicalJson({ format: 'gramr-job/v1', kind, model: ref.model, modelSha: ref.modelSha, settings })).digest('hex').slice(0, 24);
}

/** The item key of a pair: `<pair id>#<12 hex of sha256 over what the job reads of it>` (pair content, label to prove). */
export function itemKey(pairId: string, content: unknown): string {
  return `${pairId}#${createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 12)}`;
}

const identities = new Map<string, string>();

/**
 * sha256 of a model folder's content (names + bytes, as the runner hashes inputs), remembered per process while no
 * file's size or mtime changes, so a worker checks each model once.
 */
export async function modelIdentity(modelPathOrId: string): Promise<string> {
  const modelPath = await resolveModelPath(modelPathOrId);
  const st = await fs.stat(modelPath);
  const listing = st.isDirectory()
    ? (await walkTree(modelPath)).map((e) => `${e.rel}\0${e.kind}\0${e.stat?.size ?? ''}\0${e.stat?.mtimeMs ?? ''}`)
    : [`\0${st.size}\0${st.mtimeMs}`];
  const key = `${modelPath}\n${listing.join('\n')}`;
  let sha = identities.get(key);
  if (sha === undefined) {
    sha = await hashPath(modelPath);
    identities.set(key, sha);
  }
  return sha;
}

/** The Redis hash that holds the results of `spec` on queue `queue`, keyed by item key. */
export function resultsKey(queue: string, spec: string): string {
  return `gramr:${queue}:results:${spec}`;
}

/**
 * The BullMQ job id of an item under a spec: `<spec>-<item key>`. BullMQ rejects custom ids that contain ":", so ":"
 * is escaped as "%3A" (and "%" as "%25").
 */
export function jobIdFor(spec: string, key: string): string {
  return `${spec}-${key.replaceAll('%', '%25').replaceAll(':', '%3A')}`;
}

/**
 * Adds jobs (idempotent: a job id already waiting, active or failed is left as it is). A completed job is removed
 * (its result lives in the results hash), so a pair whose result is gone can be queued again.
 */
export async function enqueue(queue: Queue, jobs: readonly LabelJob[], attempts = 3): Promise<void> {
  for (let i = 0; i < jobs.length; i += 500) {
    await queue.addBulk(jobs.slice(i, i + 500).map((j) => ({
      name: j.kind, data: j, opts: { jobId: jobIdFor(j.spec, j.key), attempts, removeOnComplete: true, removeOnFail: false },
    })));
  }
}

const NUM = '\u0000num:';

/** A result as JSON, keeping non-finite numbers (a −∞ proof score) that plain JSON would turn into null. */
export function encodeResult(result: unknown): string {
  return JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `${NUM}${v}` : v));
}

/** The inverse of encodeResult. */
export function decodeResult<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(NUM) ? Number(v.slice(NUM.length)) : v)) as T;
}

/** Writes a result unless one is already there; true when this call wrote it. */
export async function writeResultOnce(redis: Redis, queue: string, spec: string, key: string, result: unknown): Promise<boolean> {
  return (await redis.hsetnx(resultsKey(queue, spec), key, encodeResult(result))) === 1;
}

/** The stored results of the item `keys` (undefined where none yet), in the order given. */
export async function readResults<T>(redis: Redis, queue: string, spec: string, keys: readonly string[]): Promise<Array<T | undefined>> {
  const out: Array<T | undefined> = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const got = await redis.hmget(resultsKey(queue, spec), ...keys.slice(i, i + 1000));
    for (const g of got) out.push(g === null ? undefined : decodeResult<T>(g));
  }
  return out;
}

/** A plain ioredis client for `url` that fails fast (for reads, writes and the liveness check). */
export function redisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false });
}
