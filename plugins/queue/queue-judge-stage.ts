// Stage `queue-judge`: judges a dataset's pairs through the BullMQ queue on Redis (workers: `gramr work`) with a
// given model, and writes one record per pair in input order: the pair plus `judgment` (label, confidence, worker).
// Resumable: a rerun enqueues only the pairs without a stored result (enqueueing is idempotent anyway) and reads the
// finished ones from the results hash. Needs a reachable Redis.
import { injectable } from 'inversify';
import { z } from 'zod';
import type { PreferencePair } from '../../core/data/records.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import { DEFAULT_QUEUE, redisUrlSchema } from './executor-options.js';
import type { JudgePayload, LabelResult } from './job-model.js';

export { DEFAULT_QUEUE };

/** Options of `queue-judge`. */
export const queueJudgeSchema = z.object({
  model: z.string().describe('model (declared or written by an earlier stage) that judges; workers must see its path'),
  from: z.string().describe('dataset of pairs (id, prompt, a, b)'),
  to: z.string().describe('records artifact to write: each pair plus `judgment`'),
  redis: redisUrlSchema().describe('Redis URL, e.g. redis://127.0.0.1:6379 (a password in it never appears in logs or manifests)'),
  queue: z.string().default(DEFAULT_QUEUE).describe('queue name (workers: gramr work --queue NAME); results are keyed by model, settings and pair, so queues can be shared'),
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
    // job-model (with ioredis) and the executor (with bullmq) load here, not at plugin load.
    const [{ itemKey, jobSpec, modelIdentity }, { runQueued }] = await Promise.all([import('./job-model.js'), import('./queue-executor.js')]);
    const ref = { model, modelSha: await modelIdentity(model) };
    const spec = jobSpec('judge', ref, { batchSize: o.batchSize });
    const items = pairs.map((p) => {
      const pair = { prompt: p.prompt, a: p.a, b: p.b };
      return { key: itemKey(p.id, pair), pairId: p.id, payload: { ...ref, pair, batchSize: o.batchSize } satisfies JudgePayload };
    });
    const q = { redis: o.redis.reveal(), queue: o.queue, attempts: o.attempts, pollMs: o.pollMs, ...(o.timeoutS !== undefined ? { timeoutS: o.timeoutS } : {}) };
    const { results, stats } = await runQueued<LabelResult>(q, 'judge', spec, items, ctx.signal, where,
      (done, total) => ctx.progress.update({ done, total, unit: 'pairs' }));
    const w = await ctx.artifacts.recordWriter(o.to);
    const resumed = w.count;
    const labels = { A: 0, B: 0, none: 0 };
    for (const [i, p] of pairs.entries()) {
      const r = results[i]!;
      if (r.label === 'A') labels.A++; else if (r.label === 'B') labels.B++; else labels.none++;
      if (i < resumed) continue;
      await w.append({ ...p, judgment: r });
    }
    const workers = new Set(results.map((r) => r.worker)).size;
    return {
      metrics: { records: pairs.length, enqueued: stats.enqueued, storedBefore: stats.storedBefore, labeledA: labels.A, labeledB: labels.B, noAnswer: labels.none, workers },
      summary: `${pairs.length} pairs judged through queue "${o.queue}" by ${workers} worker(s) (${stats.enqueued} enqueued, ${stats.storedBefore} already stored)`,
    };
  }
}
