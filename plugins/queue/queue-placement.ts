// The StagePlacement kind `queue`: `placement: {kind: queue, redis: URL, queue: NAME}` on a stage (or the pipeline)
// hands the whole stage to a `gramr work --pipelines DIR` worker on any machine as one run-stage job, and the runner
// waits for its result (stage-job-client.ts, loaded with bullmq on first use). Distinct from the `executor` option of
// some stages, which spreads a stage's pairs. The workers must see the run folder at the same path (shared storage).
import { z } from 'zod';
import type { PlacedStage, PlacedStageJob, StagePlacement } from '../../core/pipeline/placement.js';
import type { StageProgress } from '../../core/pipeline/progress.js';
import { redisUrlSchema } from './executor-options.js';

/**
 * Default queue of placed stages: not the labeling queue, so workers started without --pipelines (which refuse
 * whole stages) never take them.
 */
export const DEFAULT_STAGE_QUEUE = 'gramr-stages';

/** The options of placement kind queue (without `kind`). */
export const queuePlacementSchema = z.object({
  redis: redisUrlSchema().optional().describe('Redis URL, e.g. redis://queue-host:6379 (required; the password never appears in logs or manifests)'),
  queue: z.string().min(1).default(DEFAULT_STAGE_QUEUE)
    .describe(`queue name (workers: gramr work --queue NAME --pipelines DIR; default ${DEFAULT_STAGE_QUEUE}); every worker on it needs --pipelines`),
  stallS: z.number().positive().default(60)
    .describe('give up on a running stage whose worker sent no heartbeat for this long (it died or lost Redis; a rerun resumes the stage)'),
  waitS: z.number().positive().optional().describe('give up when no worker has taken the stage for this long (default: wait)'),
  pollMs: z.number().int().positive().default(500).describe('how often the runner reads the job\'s state and progress'),
}).strict().superRefine((o, ctx) => {
  if (o.redis === undefined) ctx.addIssue({ code: 'custom', path: ['redis'], message: 'placement kind queue needs redis: URL (e.g. redis://queue-host:6379)' });
}).describe('run the whole stage on a gramr work worker (any machine that sees the run folder at the same path) through a BullMQ queue on Redis');

/** Parsed options of placement kind queue. */
export type QueuePlacementOptions = z.output<typeof queuePlacementSchema>;

/** Placement kind `queue`. */
export class QueuePlacement implements StagePlacement<QueuePlacementOptions> {
  readonly kind = 'queue';

  start(options: QueuePlacementOptions, job: PlacedStageJob, display: StageProgress): PlacedStage {
    const ac = new AbortController();
    const done = import('./stage-job-client.js').then((m) => m.runQueuedStage(options, job, display, ac.signal));
    return { done, abort: () => ac.abort() };
  }
}
