// The runner's side of placement kind queue: queues one run-stage job for a stage and follows it until it completes
// (the worker's StageDone) or fails (the worker's reason). The job's progress carries the stage's progress and a
// heartbeat; its log lines are shown as they come. The runner gives up (the stage fails; a rerun resumes it) when an
// active job's heartbeat stops for stallS, when no worker took it within waitS, or when Redis is gone for stallS.
import { Job, Queue } from 'bullmq';
import { WorkError } from '../../core/errors.js';
import type { StageDone } from '../../core/pipeline/stage-exec.js';
import type { PlacedStageJob } from '../../core/pipeline/placement.js';
import type { StageProgress } from '../../core/pipeline/progress.js';
import { redactCredentials } from '../../core/pipeline/redact-credentials.js';
import { decodeResult, redisClient } from './job-model.js';
import type { QueuePlacementOptions } from './queue-placement.js';
import { RUN_STAGE, stageJobId, type StageJob } from './stage-job.js';
import type { StageJobProgress } from './stage-worker.js';

const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  const t = setTimeout(done, ms);
  function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
  signal.addEventListener('abort', done);
});

/** Queues `job` on the queue of `o` and waits for its result; stops waiting (and drops the job if not taken) on abort. */
export async function runQueuedStage(o: QueuePlacementOptions, job: PlacedStageJob, display: StageProgress, signal: AbortSignal): Promise<StageDone> {
  const url = o.redis!.reveal();
  const where = redactCredentials(`stage "${job.stageId}" (placement queue "${o.queue}" at ${url})`);
  const data: StageJob = { kind: RUN_STAGE, ...job, heartbeatMs: Math.max(50, Math.floor((o.stallS * 1000) / 4)) };
  const id = stageJobId(data);
  const ping = redisClient(url);
  ping.on('error', () => undefined);
  try {
    await ping.ping();
  } catch (e) {
    throw new WorkError(redactCredentials(`${where}: Redis does not answer (${(e as Error).message}); is it running there?`));
  } finally {
    ping.disconnect();
  }
  // Fail-fast commands: a Redis that goes away shows as failed polls (given up after stallS), not as a hang.
  const queue = new Queue(o.queue, { connection: { url, maxRetriesPerRequest: 1, connectTimeout: 2000 } });
  queue.on('error', () => undefined);
  try {
    await queue.add(RUN_STAGE, data, { jobId: id, attempts: 1, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } }).catch((e: Error) => {
      throw new WorkError(redactCredentials(`${where}: could not queue the stage: ${e.message}`));
    });
    return await follow(queue, id, o, display, signal, where);
  } finally {
    display.finish();
    if (signal.aborted) await queue.remove(id).catch(() => undefined); // a job a worker holds stays; the worker stops when the lock goes
    await queue.close().catch(() => undefined);
  }
}

/** Polls the job until it completes or fails (see the file header for when it gives up). */
async function follow(queue: Queue, id: string, o: QueuePlacementOptions, display: StageProgress, signal: AbortSignal, where: string): Promise<StageDone> {
  let beat: number | undefined;
  let beatAt = Date.now();
  let waitingSince: number | undefined = Date.now();
  let okAt = Date.now();
  let logs = 0;
  for (;;) {
    if (signal.aborted) throw new WorkError(`${where}: interrupted; run again to resume`);
    const now = Date.now();
    let state: string, job: Job | undefined;
    try {
      // The state first: once it says completed or failed, the job read after it holds the final result or reason.
      state = await queue.getJobState(id);
      job = await Job.fromId(queue, id);
      okAt = now;
    } catch (e) {
      if (now - okAt > o.stallS * 1000) throw new WorkError(`${where}: lost Redis for ${o.stallS} s (${(e as Error).message}); the stage may still run on its worker; run again to resume it`);
      await sleep(o.pollMs, signal);
      continue;
    }
    if (!job || state === 'unknown') throw new WorkError(`${where}: its job ${id} is gone from the queue (removed by hand?); run again`);
    if (state === 'completed') return decodeResult<StageDone>(job.returnvalue as string);
    if (state === 'failed') throw new WorkError(`${where}: ${job.failedReason}`);
    const p = job.progress as Partial<StageJobProgress> | number;
    if (typeof p === 'object' && p.beat !== undefined && p.beat !== beat) {
      beat = p.beat;
      beatAt = now;
      if (p.update) display.update(p.update);
    }
    const got = await queue.getJobLogs(id, logs, -1, true).catch(() => ({ logs: [] as string[], count: logs }));
    for (const line of got.logs) display.log(line);
    logs += got.logs.length;
    if (state === 'active') {
      if (waitingSince !== undefined) [waitingSince, beatAt] = [undefined, now];
      if (now - beatAt > o.stallS * 1000) {
        const w = typeof p === 'object' && p.worker ? ` ${p.worker}` : '';
        throw new WorkError(`${where}: its worker${w} sent no heartbeat for ${o.stallS} s (it died or lost Redis); run again to resume the stage from its checkpoint`);
      }
    } else {
      waitingSince ??= now;
      if (o.waitS !== undefined && now - waitingSince > o.waitS * 1000) {
        throw new WorkError(`${where}: no worker took it within ${o.waitS} s; start one: gramr work --redis URL --queue ${o.queue} --pipelines DIR`);
      }
    }
    await sleep(o.pollMs, signal);
  }
}
