// Option schemas of the evaluator kinds (strict zod; the pipeline schema is assembled from them), and a parser
// that turns invalid options into a ConfigError naming the kind and the path.
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';

const position = z.enum(['none', 'random', 'both']).default('both')
  .describe('orders to judge each pair in: none (as given), random (seeded swap per pair id), both');
const batchSize = z.number().int().min(1).default(64).describe('pairs per judge call');

/** `pairwise`: accuracy on labeled pairs, optionally broken down by a record field. */
export const pairwiseOptionsSchema = z.object({
  position, batchSize,
  groupBy: z.string().min(1).optional().describe('dotted record path to break accuracy down by (e.g. meta.subset, source)'),
}).strict();

/** `rm-bench`: accuracy per domain and difficulty (RM-Bench records). */
export const rmBenchOptionsSchema = z.object({ position, batchSize }).strict();

/** `judgebench`: accuracy per category (JudgeBench records). */
export const judgeBenchOptionsSchema = z.object({ position, batchSize }).strict();

/** `position-bias`: both orders of every pair (labels optional). */
export const positionBiasOptionsSchema = z.object({ batchSize }).strict();

/** `best-of-n`: pick accuracy of a ranker against an oracle, per n. */
export const bestOfNOptionsSchema = z.object({
  ranker: z.string().default('knockout').describe('Ranker kind that picks the best candidate (built in: linear, knockout, full, sort; a plugin may add more)'),
  ns: z.array(z.number().int().min(1)).min(1).optional()
    .describe('candidate counts to evaluate (first n candidates of each set); default 1, 2, 4, ... and the largest set size'),
  position: position.describe('orders each comparison is judged in'),
  batchSize,
  concurrency: z.number().int().min(1).default(16).describe('candidate sets ranked side by side (their comparisons share judge calls)'),
}).strict();

/** Parse `options` with `schema`; invalid options are a ConfigError naming the evaluator kind. */
export function parseOptions<S extends z.ZodType>(kind: string, schema: S, options: unknown): z.output<S> {
  const r = schema.safeParse(options ?? {});
  if (!r.success) throw new ConfigError(`${kind} evaluator options are invalid:\n${z.prettifyError(r.error)}`);
  return r.data;
}
