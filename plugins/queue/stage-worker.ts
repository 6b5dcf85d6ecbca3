// What a `gramr work` worker does with a run-stage job: after the checks of stage-job.ts it runs the stage in a stage
// process of its own, exactly as `gramr run --jobs N` does (core's StageProcessPool and stage-process-main), in the
// run folder the job names. While the stage runs it sends the job's progress (the stage's last progress update and a
// heartbeat) and its log lines to Redis, and watches the run lock: when the run that queued the stage gives up its
// folder (Ctrl-C, or a rerun took over the lock of a dead runner) the stage is stopped.
import type { Job } from 'bullmq';
import type { PluginRef } from '../../core/di/plugin-loader.js';
import { StageProcessPool } from '../../core/pipeline/stage-process.js';
import type { StageProgress } from '../../core/pipeline/progress.js';
import type { ProgressUpdate } from '../../core/pipeline/task-context.js';
import { encodeResult } from './job-model.js';
import { checkStageJob, checkStagePlace, lockTokenOf } from './stage-job.js';

/** What a run-stage job reports as its BullMQ progress. */
export interface StageJobProgress {
  /** Grows with every report: the runner gives up on a job whose beat stops while it is active. */
  beat: number;
  /** The worker (`host:pid`). */
  worker: string;
  /** The stage's last progress update. */
  update?: ProgressUpdate;
}

/** How often progress goes to Redis at most, when it changed (the heartbeat goes at least every job.heartbeatMs). */
const PROGRESS_MS = 500;

/**
 * Runs the stage of `job` (checked here; JobRefused when it may not run) on this worker and returns its StageDone,
 * encoded (encodeResult), its pipeline loaded with `plugins` first. `stop` aborts it (its reason, an Error, says why); the stage's folder is kept for a rerun.
 */
export async function runStageJob(job: Job<unknown>, roots: readonly string[], plugins: readonly PluginRef[], worker: string, stop: AbortSignal): Promise<string> {
  const data = checkStageJob(job.data);
  await checkStagePlace(data, roots);
  let last: ProgressUpdate | undefined;
  let dirty = false;
  const display: StageProgress = {
    update(u) { last = u; dirty = true; },
    log(message) { void job.log(message).catch(() => undefined); },
    finish() { /* the runner's display finishes when the job does */ },
  };
  const pool = new StageProcessPool(data.file, data.sets, plugins);
  const forked = pool.start({ file: data.file, runDir: data.runDir, stageId: data.stageId, attempt: data.attempt, index: data.index, worker }, display);
  let beat = 0;
  let sentAt = 0;
  const send = async (): Promise<void> => {
    dirty = false;
    sentAt = Date.now();
    await job.updateProgress({ beat: ++beat, worker, ...(last ? { update: last } : {}) } satisfies StageJobProgress).catch(() => undefined);
  };
  let why: string | undefined;
  const halt = (reason: string): void => {
    if (why !== undefined) return;
    why = reason;
    forked.abort();
  };
  await send();
  let misses = 0;
  const timer = setInterval(() => {
    if (dirty || Date.now() - sentAt >= data.heartbeatMs) void send();
    void lockTokenOf(data.runDir).then((token) => {
      // Two readings in a row, so one unlucky read (a file system hiccup) does not stop a stage.
      misses = token === data.lockToken ? 0 : misses + 1;
      if (misses >= 2) halt(`the run that queued it no longer holds ${data.runDir} (its lock is gone or taken over)`);
    });
  }, Math.min(PROGRESS_MS, data.heartbeatMs));
  const onStop = (): void => halt(stop.reason instanceof Error ? stop.reason.message : `worker ${worker} was stopped`);
  stop.addEventListener('abort', onStop);
  if (stop.aborted) onStop();
  try {
    return encodeResult(await forked.done);
  } catch (e) {
    throw new Error(why ? `${why}; the stage stopped and a rerun resumes it` : (e as Error).message);
  } finally {
    clearInterval(timer);
    stop.removeEventListener('abort', onStop);
    pool.close();
  }
}
