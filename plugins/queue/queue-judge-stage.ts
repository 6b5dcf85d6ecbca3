// Stage `queue-judge`: judges a dataset's pairs through the BullMQ queue on Redis (workers: `gramr work`) with a
// given model, and writes one record per pair in input order: the pair plus `judgment` (label, confidence, worker).
// Resumable: a rerun enqueues only the pairs without a stored result (enqueueing is idempotent by pair id anyway)
// and reads the finished ones from the results hash. Relies on job-model.ts, bullmq and a reachable Redis.
import { injectable } from 'inversify';
import { z } from 'zod';
import type { PreferencePair } from '../../core/data/records.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import type { Queue } from 'bullmq';
import type { LabelJob, LabelResult } from './job-model.js';

/** Default queue name (job-model.ts re-exports it; kept here so loading the plugin does not load bullmq). */
export const DEFAULT_QUEUE = 'gramr-judge';

/** Options of `queue-judge`. */
export const queueJudgeSchema = z.object({
  model: z.string().describe('model (declared or written by an earlier stage) that judges; workers must see its path'),
  from: z.string().describe('dataset of pairs (id, prompt, a, b)'),
  to: z.string().describe('records artifact to write: each pair plus `judgment`'),
  redis: z.string().describe('Redis URL, e.g. redis://127.0.0.1:6379'),
  queue: z.string().default(DEFAULT_QUEUE).describe('queue name (workers: gramr work --queue NAME)'),
  batchSize: z.number().int().positive().default(8).describe('rows per model call in the workers'),
  attempts: z.number().int().positive().default(3).describe('tries per job before it counts as failed'),
  pollMs: z.number().int().positive().default(250).describe('how often to check for results'),
  timeoutS: z.number().positive().optional().describe('give up when no new result arrived for this long (default: wait forever)'),
}).strict();
type QueueJudgeOptions = z.infer<typeof queueJudgeSchema>;

@injectable()
export class QueueJudgeStage implements Stage<QueueJudgeOptions> {
  readonly kind = 'queue-judge';
  inputs(o: QueueJudgeOptions): string[] {
    return [o.model, o.from];
  }
  outputs(o: QueueJudgeOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'records' }];
  }
  async run(o: QueueJudgeOptions, ctx: StageContext): Promise<StageResult> {
    const where = `stage ${ctx.stageId} (queue-judge)`;
    const pairs = (await ctx.artifacts.readAll(o.from)) as PreferencePair[];
    const seen = new Set<string>();
    for (const [i, p] of pairs.entries()) {
      if (typeof p.id !== 'string' || typeof p.prompt !== 'string' || typeof p.a !== 'string' || typeof p.b !== 'string') {
        throw new Error(`${where}: record ${i} of ${o.from} is not a pair: needs string id, prompt, a, b`);
      }
      if (seen.has(p.id)) throw new Error(`${where}: ${o.from} has pair id "${p.id}" twice; ids must be unique (they are the job ids)`);
      seen.add(p.id);
    }
    const model = ctx.artifacts.modelPath(o.model);
    // bullmq and ioredis load here, not at plugin load: every command builds the container, few use the queue.
    const [{ Queue }, { connectionFor, enqueue, jobIdFor, readResults, redisClient }] = await Promise.all([import('bullmq'), import('./job-model.js')]);
    const redis = redisClient(o.redis);
    const queue = new Queue<LabelJob>(o.queue, { connection: connectionFor(o.redis) });
    try {
      const ids = pairs.map((p) => p.id);
      let results = await readResults(redis, o.queue, ids);
      const stored = results.filter((r) => r !== undefined).length;
      const missing = pairs.filter((_, i) => results[i] === undefined);
      await enqueue(queue, missing.map((p) => ({ pairId: p.id, kind: 'judge', payload: { model, pair: { prompt: p.prompt, a: p.a, b: p.b }, batchSize: o.batchSize } })), o.attempts);
      let done = stored, lastChange = Date.now();
      while (done < pairs.length) {
        ctx.signal.throwIfAborted();
        await new Promise((r) => setTimeout(r, o.pollMs));
        results = await readResults(redis, o.queue, ids);
        const now = results.filter((r) => r !== undefined).length;
        if (now !== done) {
          done = now;
          lastChange = Date.now();
          ctx.progress.update({ done, total: pairs.length, unit: 'pairs' });
        }
        await this.checkFailed(queue, pairs, results, where);
        if (o.timeoutS !== undefined && Date.now() - lastChange > o.timeoutS * 1000) {
          throw new Error(`${where}: no new result for ${o.timeoutS} s (${done}/${pairs.length} done) on queue "${o.queue}" at ${o.redis}; are workers running (gramr work --redis ${o.redis} --queue ${o.queue})?`);
        }
      }
      const w = await ctx.artifacts.recordWriter(o.to);
      const resumed = w.count;
      const labels = { A: 0, B: 0, none: 0 };
      for (const [i, p] of pairs.entries()) {
        const r = results[i] as LabelResult;
        if (r.label === 'A') labels.A++; else if (r.label === 'B') labels.B++; else labels.none++;
        if (i < resumed) continue;
        await w.append({ ...p, judgment: r });
      }
      const workers = new Set(results.map((r) => r!.worker)).size;
      return {
        metrics: { records: pairs.length, enqueued: missing.length, storedBefore: stored, labeledA: labels.A, labeledB: labels.B, noAnswer: labels.none, workers },
        summary: `${pairs.length} pairs judged through queue "${o.queue}" by ${workers} worker(s) (${missing.length} enqueued, ${stored} already stored)`,
      };
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }

  /** Fails the stage when a pair still without a result has a job that failed for good. */
  private async checkFailed(queue: Queue<LabelJob>, pairs: PreferencePair[], results: Array<LabelResult | undefined>, where: string): Promise<void> {
    if ((await queue.getFailedCount()) === 0) return;
    const { jobIdFor } = await import('./job-model.js');
    for (const [i, p] of pairs.entries()) {
      if (results[i] !== undefined) continue;
      const job = await queue.getJob(jobIdFor(p.id));
      if (job && (await job.isFailed())) {
        throw new Error(`${where}: job for pair "${p.id}" failed after ${job.attemptsMade} attempt(s): ${job.failedReason}; fix the cause, then remove the job (or the queue) and rerun`);
      }
    }
  }
}
