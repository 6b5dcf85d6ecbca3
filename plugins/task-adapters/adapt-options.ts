// Options of the `adapt` stage: the foundation GRM, the small task set, an optional held-out set measured before and
// after, an optional prover, and the TaskAdapter kind with its options. Strict zod.
import { z } from 'zod';
import { kindEntry } from '../../core/recipe/stage-helpers.js';

/** Options of `adapt`. */
export const adaptSchema = z.object({
  model: z.string().describe('the foundation GRM (model artifact)'),
  from: z.string().describe('the task\'s labeled pairs (label A|B; a record may carry its own rationale)'),
  eval: z.string().optional().describe('held-out labeled task pairs: the model is measured on them before and after adapting'),
  prover: z.string().optional().describe('a preference-proving model (model artifact) for adapters that write rationales (fine-tune targets: prover / auto)'),
  adapter: kindEntry('fine-tune', 'TaskAdapter').describe('the TaskAdapter kind and its options (e.g. {kind: fine-tune, targets: prover, trainer: {kind: lora, steps: 200}})'),
  evaluator: kindEntry('pairwise', 'Evaluator').describe('the Evaluator kind and its options for eval (default pairwise, both orders)'),
  evalJudge: z.object({
    maxTokens: z.number().int().min(1).optional().describe('most tokens per judgment (default: judgeForModel\'s, capped at half the context)'),
    batchSize: z.number().int().min(1).default(8).describe('rows per model call'),
  }).strict().prefault({}).describe('how the model is judged for eval (greedy)'),
  to: z.string().describe('model artifact: the adapted GRM (HF checkpoint + gramr.json)'),
  report: z.string().optional().describe('report artifact: report.json + report.md (before / after); default <to>-report'),
  limit: z.number().int().positive().optional().describe('use at most this many pairs of `from`'),
  seed: z.number().int().optional().describe('seed of the adapter (default: the pipeline seed)'),
}).strict();

/** Parsed `adapt` options. */
export type AdaptOptions = z.output<typeof adaptSchema>;
