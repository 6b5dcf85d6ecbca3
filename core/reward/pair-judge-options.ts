// Options of PairJudge as a strict zod schema (for stage configs), with defaults. The chat renderer is a
// function and is passed to PairJudge separately. The enums match PromptFormat / PositionMode.
import { z } from 'zod';
import { TRUNCATION_MARKER } from './truncate.js';

/** PairJudge options: prompt format, position handling, voting, sampling, label tokens, overflow rule. */
export const pairJudgeOptionsSchema = z.object({
  format: z.enum(['gram-r2', 'gram-v1', 'compact']).default('gram-r2')
    .describe('gram-r2: rationale then <answer>; gram-v1: label token right after "#Preferred: "; compact: a short prompt for from-scratch models, answered like gram-r2'),
  position: z.enum(['none', 'random', 'both']).default('none')
    .describe('none: as given; random: seeded swap per pair id; both: judge both orders and combine'),
  votes: z.number().int().min(1).default(1).describe('voting@k: samples per order (gram-r2 only)'),
  temperature: z.number().min(0).default(0).describe('sampling temperature (0 = greedy; must be > 0 when votes > 1)'),
  topP: z.number().gt(0).max(1).optional().describe('nucleus sampling mass'),
  topK: z.number().int().min(1).optional().describe('top-k sampling'),
  maxTokens: z.number().int().min(1).default(2048).describe('most generated tokens per judgment (gram-r2)'),
  stop: z.array(z.string().min(1)).default(['</answer>']).describe('stop strings (gram-r2)'),
  labelTokens: z.object({ A: z.string().min(1), B: z.string().min(1) }).strict().default({ A: 'A', B: 'B' })
    .describe('label token texts whose logits give P(A), P(B) ("A"/"B" or " A"/" B", per tokenizer and training data)'),
  scores: z.boolean().default(true).describe('read label probabilities at the answer position (gram-r2: one extra forward pass)'),
  overflow: z.enum(['truncate', 'refuse']).default('truncate')
    .describe('prompt over the context: cut responses from the end (template kept) or refuse (no answer, prompt-too-long)'),
  truncationMarker: z.string().default(TRUNCATION_MARKER).describe('appended to a cut response'),
}).strict().superRefine((o, ctx) => {
  if (o.votes > 1 && o.format === 'gram-v1') {
    ctx.addIssue({ code: 'custom', path: ['votes'], message: 'votes > 1 needs format gram-r2 (gram-v1 reads one deterministic label distribution)' });
  }
  if (o.votes > 1 && o.temperature === 0) {
    ctx.addIssue({ code: 'custom', path: ['temperature'], message: `votes = ${o.votes} with temperature 0 would give identical samples; set temperature > 0` });
  }
});

/** Parsed PairJudge options (defaults applied). */
export type PairJudgeOptions = z.output<typeof pairJudgeOptionsSchema>;
/** PairJudge options as written (every key optional). */
export type PairJudgeOptionsInput = z.input<typeof pairJudgeOptionsSchema>;
