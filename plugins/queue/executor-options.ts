// The `executor` option of stages that can spread their per-pair work over `gramr work` processes: `local` (in the
// stage's own process, the default) or `queue` (BullMQ jobs on a Redis server, collected by queue-executor.ts).
// Pure zod, so stages can import it without loading bullmq. Used by self-train and synthesize-rationales.
import { z } from 'zod';
import { SecretUrl } from '../../core/pipeline/redact-credentials.js';

/** Default queue name (the default of `gramr work --queue` too): one queue can carry every kind of job. */
export const DEFAULT_QUEUE = 'gramr-judge';

const QUEUE_ONLY = ['redis', 'queue', 'attempts', 'pollMs', 'timeoutS'] as const;

/**
 * A Redis URL option (`redis://[:password@]host:port`, `rediss://` for TLS). Parsed to a SecretUrl, so manifests,
 * events, messages and config hashes show it with its password as `***`.
 */
export function redisUrlSchema(): z.ZodType<SecretUrl, string> {
  return z.string().min(1).transform((url) => new SecretUrl(url));
}

/**
 * Where a stage's per-pair work runs. Stages take it as `executor: executorSchema.optional()`: absent means local,
 * so a pipeline without it validates (and hashes, for the runner's skip decisions) exactly as before the option.
 * One strict object rather than a union, so the config reference can show its fields.
 */
export const executorSchema = z.object({
  kind: z.enum(['local', 'queue']).describe('local: in the stage\'s process; queue: jobs for gramr work processes on any machine'),
  redis: redisUrlSchema().optional().describe('queue: Redis URL, e.g. redis://queue-host:6379 or rediss://:password@queue-host:6380 (required; the password never appears in logs or manifests)'),
  queue: z.string().min(1).optional().describe(`queue: queue name (workers: gramr work --queue NAME; default ${DEFAULT_QUEUE})`),
  attempts: z.number().int().positive().optional().describe('queue: tries per job before it counts as failed and stops the stage (default 3)'),
  pollMs: z.number().int().positive().optional().describe('queue: how often the stage checks for results (default 250)'),
  timeoutS: z.number().positive().optional().describe('queue: give up when no new result arrived for this long (default: wait forever)'),
}).strict().superRefine((o, ctx) => {
  if (o.kind === 'queue' && o.redis === undefined) {
    ctx.addIssue({ code: 'custom', path: ['redis'], message: 'executor kind queue needs redis: URL (e.g. redis://queue-host:6379)' });
  }
  if (o.kind === 'local') {
    for (const k of QUEUE_ONLY) if (o[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `only executor kind queue takes ${k}; kind local runs in the stage's process` });
  }
}).describe('where the per-pair work runs: {kind: local} (this process; the default when absent) or {kind: queue, redis: URL, queue?, attempts?, pollMs?, timeoutS?} (gramr work processes on any machine; results keyed by job spec + pair, written once)');

/** Parsed executor option. */
export type ExecutorOptions = z.output<typeof executorSchema>;

/** A queue executor's settings, defaults filled in. */
export interface QueueExecutorOptions {
  /** Redis URL. */
  redis: string;
  /** Queue name. */
  queue: string;
  /** Tries per job. */
  attempts: number;
  /** Result polling interval in ms. */
  pollMs: number;
  /** Seconds without a new result before the stage gives up; absent: wait forever. */
  timeoutS?: number;
}

/** A context that may carry an executor (the self-train stage hands its `executor` to the strategy this way). */
export interface ExecutorContext {
  /** Where per-pair work runs; absent means local. */
  executor?: ExecutorOptions;
}

/** The queue settings (defaults filled in) when `e` is a queue executor, else undefined. */
export function queueOf(e: ExecutorOptions | undefined): QueueExecutorOptions | undefined {
  if (e?.kind !== 'queue') return undefined;
  if (e.redis === undefined) throw new Error('executor kind queue needs redis: URL');
  return { redis: e.redis.reveal(), queue: e.queue ?? DEFAULT_QUEUE, attempts: e.attempts ?? 3, pollMs: e.pollMs ?? 250, ...(e.timeoutS !== undefined ? { timeoutS: e.timeoutS } : {}) };
}
