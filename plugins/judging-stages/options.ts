// Option schemas of the judging stages (strict zod; the pipeline schema and docs/config-reference.md are built from
// them). The judge's own options are PairJudge's schema; the evaluator / ranker kinds are checked when the stage runs.
import { z } from 'zod';
import { pairJudgeOptionsSchema } from '../../core/reward/pair-judge-options.js';
import { CHAT_MODES, type ChatMode } from '../../core/reward/chat-renderer.js';

const chatModes = CHAT_MODES as unknown as [ChatMode, ...ChatMode[]];

/** Options every judging stage has: the model, its inputs, how prompts are rendered, rows per model call. */
const modelOptions = {
  model: z.string().describe('model artifact: a model declared in the pipeline or written by an earlier stage'),
  tokenizer: z.string().optional().describe('tokenizer file or folder, relative to the pipeline file (default: the one beside the model)'),
  from: z.union([z.string(), z.array(z.string()).min(1)]).describe('dataset(s) or records artifact(s) to read, in order'),
  limit: z.number().int().positive().optional().describe('read at most this many records from each input'),
  chat: z.enum(chatModes).default('auto')
    .describe("how the judge prompt is wrapped: auto (the tokenizer's chat template, else the plain one), template, plain, none"),
  chatVariables: z.record(z.string(), z.unknown()).optional().describe('extra chat-template variables (e.g. {enable_thinking: false})'),
  batchSize: z.number().int().min(1).default(8).describe('rows per model call (generation and label-logit forwards)'),
};

/** Options of `evaluate`. */
export const evaluateSchema = z.object({
  ...modelOptions,
  judge: pairJudgeOptionsSchema.prefault({})
    .describe('PairJudge options: format, votes, temperature, topP, topK, maxTokens, stop, labelTokens, scores, overflow (not position: the evaluator\'s). '
      + 'A model train-grm wrote (gramr.json) is judged by its objective with its recorded format, chat and label tokens; of these only '
      + 'temperature, votes and maxTokens apply, and only to rationale / label-only models'),
  evaluator: z.looseObject({ kind: z.string().describe('Evaluator kind (pairwise, rm-bench, judgebench, position-bias, best-of-n, ...)') })
    .describe('the evaluator kind and its options, e.g. {kind: rm-bench, position: both, batchSize: 64}'),
  to: z.string().describe('report artifact: a folder with report.md and report.json'),
  judgments: z.string().optional()
    .describe('records artifact with one line per judged pair (default <to>-judgments); an interrupted evaluation resumes from it'),
}).strict().superRefine((o, ctx) => {
  if (o.judge.position !== 'none') {
    ctx.addIssue({ code: 'custom', path: ['judge', 'position'], message: 'the evaluator decides the orders (evaluator.position); leave judge.position out' });
  }
});

/** Parsed options of `evaluate`. */
export type EvaluateOptions = z.output<typeof evaluateSchema>;

/** Options of `rank`. */
export const rankSchema = z.object({
  ...modelOptions,
  judge: pairJudgeOptionsSchema.prefault({})
    .describe('PairJudge options: format, position (orders of each comparison), votes, temperature, topP, topK, maxTokens, stop, labelTokens, scores, overflow'),
  method: z.string().default('knockout').describe('Ranker kind: linear, knockout, full, sort (or a plugin\'s)'),
  pairsPerCall: z.number().int().min(1).default(64).describe('most pairs per judge call (comparisons of concurrent sets are merged)'),
  concurrency: z.number().int().min(1).default(8).describe('candidate sets ranked side by side'),
  to: z.string().describe('records artifact: one ranking per candidate set'),
}).strict();

/** Parsed options of `rank`. */
export type RankOptions = z.output<typeof rankSchema>;

/** The inputs of a stage's `from`. */
export function inputsOf(from: string | string[]): string[] {
  return typeof from === 'string' ? [from] : from;
}
