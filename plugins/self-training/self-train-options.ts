// Options of the `self-train` stage: which GRM, prover, backbone and data the rounds use, where the results go, the
// optional per-round evaluation, the strategy kind with its knobs (gram-r2-options.ts), and where the per-pair work
// runs (executor: local, or the queue plugin's workers). Strict zod.
import { z } from 'zod';
import { initSchema } from '../../core/recipe/model-init.js';
import { kindEntry } from '../../core/recipe/stage-helpers.js';
import { executorSchema } from '../queue/executor-options.js';

/** Options of `self-train`. */
export const selfTrainSchema = z.object({
  grm: z.string().describe('the initial GRM (model artifact, objective rationale): it labels round 1'),
  prover: z.string().describe('the preference-proving model (model artifact) that writes the rationales of kept pseudo-labels'),
  rounds: z.array(z.string()).min(1).describe('unlabeled pair datasets, one per round, in order (e.g. [unlabeled-1, unlabeled-2, unlabeled-3])'),
  synthesized: z.union([z.string(), z.array(z.string())]).optional()
    .describe('the initial synthesized data (RationaleExample records, e.g. synthesize-rationales output): merged into every retrain'),
  backbone: initSchema.optional()
    .describe('the GRM\'s initial weights, for retrain: backbone — {from: model} or the same {scratch: {...}} (and seed) as the first train-grm'),
  eval: z.string().optional().describe('labeled pairs to measure the initial GRM and each round\'s GRM on'),
  evaluator: kindEntry('pairwise', 'Evaluator').describe('the Evaluator kind and its options for eval (default pairwise, both orders)'),
  evalJudge: z.object({
    maxTokens: z.number().int().min(1).optional().describe('most tokens per judgment (default 256, capped at half the context)'),
    batchSize: z.number().int().min(1).default(8).describe('rows per model call'),
  }).strict().prefault({}).describe('how the GRM is judged for eval (greedy)'),
  strategy: kindEntry('gram-r2', 'SelfTrainingStrategy').describe('the SelfTrainingStrategy kind and its knobs (votes, temperature, threshold, k, retrain, trainer, ...)'),
  to: z.string().describe('model artifact: the final GRM'),
  data: z.string().optional().describe('records artifact: the merged training data (initial synthesized + every round\'s additions); default <to>-data'),
  labels: z.string().optional().describe('records artifact: every round\'s pseudo-label decisions with gold correctness where known; default <to>-labels'),
  report: z.string().optional().describe('report artifact: report.json + report.md, one row per round; default <to>-report'),
  limit: z.number().int().positive().optional().describe('use at most this many pairs of each round\'s dataset'),
  seed: z.number().int().optional().describe('seed of the backbone init (scratch) and the strategy (default: the pipeline seed)'),
  executor: executorSchema.optional().describe('where the pseudo-label votes and the prover rationales run: {kind: local} (default, also when absent) or {kind: queue, redis: URL, ...} (gramr work processes; docs/serving.md); retraining and eval stay in the stage'),
}).strict().superRefine((o, ctx) => {
  const retrain = (o.strategy as { retrain?: unknown }).retrain;
  if (o.strategy.kind === 'gram-r2' && (retrain === undefined || retrain === 'backbone') && o.backbone === undefined) {
    ctx.addIssue({ code: 'custom', path: ['backbone'], message: 'strategy gram-r2 retrains from the backbone by default (retrain: backbone); give backbone: {from: <model>} or {scratch: {...}} as the first train-grm used, or set strategy.retrain: continue' });
  }
  if (new Set(o.rounds).size !== o.rounds.length) ctx.addIssue({ code: 'custom', path: ['rounds'], message: 'each round needs its own dataset (a dataset listed twice would be labeled twice)' });
});

/** Parsed `self-train` options. */
export type SelfTrainOptions = z.output<typeof selfTrainSchema>;

/** The artifact names of a stage (defaults filled in). */
export function selfTrainNames(o: SelfTrainOptions): { data: string; labels: string; report: string } {
  return { data: o.data ?? `${o.to}-data`, labels: o.labels ?? `${o.to}-labels`, report: o.report ?? `${o.to}-report` };
}
