// A BullMQ worker for every job kind (judge, vote, prove; job-handlers.ts does the work, with models cached per path)
// that checks each job first (job-check.ts: strict schema, its spec and item key hashed from its own payload, the
// model under the worker's --models folders) and writes each result once (HSETNX) to the results hash of its queue
// and job spec, so results are written only by the processing of their own job. A killed worker's active jobs
// stall; BullMQ moves them back to the queue after `lockDuration`, and another worker does them (the HSETNX keeps one
// result). It also runs whole stages (run-stage jobs, stage-worker.ts) from pipelines under its --pipelines folders.
// Needs a reachable Redis.
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { redactCredentials } from '../../core/pipeline/redact-credentials.js';
import type { PluginRef } from '../../core/di/plugin-loader.js';
import type { Prover } from '../../core/recipe/prover.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { checkJob, checkModelPath, JobRefused } from './job-check.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';
import { JobHandlers } from './job-handlers.js';
import { RUN_STAGE } from './stage-job.js';
import { runStageJob } from './stage-worker.js';
import { connectionFor, redisClient, writeResultOnce, type LabelJob } from './job-model.js';

/** Options of startLabelWorker. */
export interface LabelWorkerOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  redis: string;
  /** Queue name. */
  queue: string;
  /** Real paths of the folders models may be opened from (job-check's modelRoots); a job naming another is refused. */
  modelRoots: readonly string[];
  /** Jobs processed at once (default 1). */
  concurrency?: number;
  /** Job lock in ms: a dead worker's jobs are retried after about this long (default 30000). */
  lockDurationMs?: number;
  /** Opened models kept at once (default 3; the least recently used idle one is freed first). */
  maxModels?: number;
  /** Real paths of the folders whose pipelines this worker runs whole stages of (run-stage jobs); none: it runs none. */
  pipelineRoots?: readonly string[];
  /** Opens the models of judge and vote jobs (the plugin container's JudgeOpener). */
  judges: JudgeOpener;
  /** The Prover of a kind, for prove jobs (the plugin container's); without it, prove jobs are refused. */
  provers?: (kind: string) => Prover;
  /** The application's plugins a run-stage job's pipeline is loaded with (gramr's built-in list; Pipeline.basePlugins). */
  plugins?: readonly PluginRef[];
  /** Called after each run-stage job this worker finished (`ok`) or failed. */
  onStage?: (stageId: string, ok: boolean) => void;
  /** Called after each result this worker wrote (`wrote`) or found already written by another. */
  onResult?: (pairId: string, wrote: boolean, kind: LabelJob['kind']) => void;
}

/** A running worker: `close` stops it and frees its models. */
export interface LabelWorker {
  /** Stop taking jobs, wait for the active ones, free the models and connections. */
  close(): Promise<void>;
}

/** Starts a worker on `backend`. */
export function startLabelWorker(backend: ComputeBackend, o: LabelWorkerOptions): LabelWorker {
  const me = `${hostname()}:${process.pid}`;
  const handlers = new JobHandlers(backend, me, o.judges, o.maxModels ?? 3, o.provers);
  const redis = redisClient(o.redis);
  const stop = new AbortController();
  const stageStop = new AbortController();
  const stages = new Map<string, AbortController>(); // running stage jobs by job id
  const runStage = stageJobRunner(o, me, stageStop.signal, stages);
  const handle = async (job: Job<unknown>): Promise<{ wrote: boolean } | string> => {
    if (job.name === RUN_STAGE) return runStage(job);
    let result: unknown, data: LabelJob;
    try {
      data = checkJob(job.data);
      await checkModelPath(data.payload.model, o.modelRoots);
      result = await handlers.run(data, stop.signal);
    } catch (e) {
      if (e instanceof JobRefused) throw new UnrecoverableError(`job ${job.id}: ${e.message}`);
      throw e;
    }
    const wrote = await writeResultOnce(redis, o.queue, data.spec, data.key, result);
    o.onResult?.(data.pairId, wrote, data.kind);
    return { wrote };
  };
  const lock = o.lockDurationMs ?? 30000;
  const worker = new Worker<unknown, { wrote: boolean } | string>(o.queue, handle, {
    connection: connectionFor(o.redis), concurrency: o.concurrency ?? 1,
    lockDuration: lock, stalledInterval: Math.max(500, Math.floor(lock / 2)), maxStalledCount: 3,
  });
  watchWorker(worker, redis, stages, me);
  return {
    async close(): Promise<void> {
      stageStop.abort(); // running stages stop (their folders stay for a rerun); label jobs finish
      await worker.close();
      stop.abort();
      await handlers.dispose();
      redis.disconnect();
    },
  };
}

/**
 * The processor of run-stage jobs: runs the job's stage with its own AbortController (kept in `stages` by job id
 * while it runs), which `stageStop` or a lost lock aborts, and reports the outcome to `o.onStage`.
 */
function stageJobRunner(o: LabelWorkerOptions, me: string, stageStop: AbortSignal,
  stages: Map<string, AbortController>): (job: Job<unknown>) => Promise<string> {
  return async (job) => {
    const stageId = String((job.data as { stageId?: unknown } | undefined)?.stageId);
    const ac = new AbortController();
    const stopped = (): void => ac.abort(new Error(`worker ${me} was stopped`));
    stageStop.addEventListener('abort', stopped);
    stages.set(job.id!, ac);
    try {
      const done = await runStageJob(job, o.pipelineRoots ?? [], o.plugins ?? [], me, ac.signal);
      o.onStage?.(stageId, true);
      return done;
    } catch (e) {
      o.onStage?.(stageId, false);
      // A stage is not retried by BullMQ: its failure (or a refusal) goes to the runner, and a rerun resumes it.
      throw new UnrecoverableError(`on worker ${me}: ${(e as Error).message}`);
    } finally {
      stages.delete(job.id!);
      stageStop.removeEventListener('abort', stopped);
    }
  };
}

/** Reports the worker's and Redis's errors and failed jobs on stderr, and stops a stage whose job lock was lost. */
function watchWorker(worker: Worker, redis: ReturnType<typeof redisClient>, stages: Map<string, AbortController>, me: string): void {
  // Connection errors are reported once per distinct message, never with the URL's password.
  let lastError = '';
  const report = (e: Error): void => {
    if (e.message === lastError) return;
    lastError = e.message;
    process.stderr.write(`gramr work: ${redactCredentials(e.message)}\n`);
  };
  redis.on('error', report);
  worker.on('error', report);
  // A job whose lock could not be renewed may be handed to another worker: its stage stops here first.
  worker.on('lockRenewalFailed', (ids) => {
    for (const id of ids) stages.get(id)?.abort(new Error(`worker ${me} lost its lock on the job (Redis unreachable or slow), so another worker may take the stage over`));
  });
  worker.on('failed', (job, err) => {
    process.stderr.write(`gramr work: job ${job?.id ?? '?'} failed: ${err.message}\n`);
  });
}
