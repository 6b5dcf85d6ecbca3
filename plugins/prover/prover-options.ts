// Option schemas of the prover plugin: the `sft-prover` kind (how proofs are prompted and trained) and the
// synthesis settings `open` takes (k, temperature, token limit, rule limits). Strict zod with described defaults;
// docs/recipe.md lists the defaults the paper leaves open.
import { z } from 'zod';
import { CHAT_MODES } from '../../core/reward/chat-renderer.js';
import { CONTENT_CHECKS, DEFAULT_RULE_LIMITS } from './proof-rules.js';
import { PROVER_PROMPT_FORMATS } from './prover-prompt.js';

/** Options of the `sft-prover` kind. */
export const sftProverSchema = z.object({
  promptFormat: z.enum(PROVER_PROMPT_FORMATS as [string, ...string[]]).default('compact')
    .describe('prover prompt: compact (four short lines + "Better: <l>", for from-scratch models) or full (instruction-style)'),
  chat: z.enum(CHAT_MODES as [string, ...string[]]).default('auto')
    .describe('how the prompt is wrapped: auto (the tokenizer\'s chat template if it has one, else plain), template, plain, none'),
  unconditionalRate: z.number().min(0).max(1).default(0.1)
    .describe('fraction of examples ALSO trained without context (proof after a lone BOS), so log π(ẑ) of the score is a trained marginal'),
}).strict();

/** Parsed `sft-prover` options. */
export type SftProverOptions = z.output<typeof sftProverSchema>;

/** Rule limits as options. */
export const ruleLimitsSchema = z.object({
  maxRationaleBytes: z.number().int().min(1).default(DEFAULT_RULE_LIMITS.maxRationaleBytes).describe('longest rationale (UTF-8 bytes); longer proofs are dropped (rule length)'),
  minCopyBytes: z.number().int().min(1).default(DEFAULT_RULE_LIMITS.minCopyBytes).describe('a rationale containing the prompt or a whole response of at least this many bytes is dropped (rule copies-input)'),
  content: z.enum(CONTENT_CHECKS).default(DEFAULT_RULE_LIMITS.content).describe('domain content check (rule content): none, verifiable-math (quoted steps exist, arithmetic claims true, verdict = label) or columns (every column record recomputed from the prompt, verdict from the match row = label)'),
}).strict();

/** Synthesis settings (what `Prover.open` takes). */
export const synthesisSchema = z.object({
  k: z.number().int().min(1).default(4).describe('candidate proofs sampled per pair'),
  temperature: z.number().min(0).default(0.8).describe('sampling temperature of the candidates'),
  topP: z.number().gt(0).max(1).optional().describe('nucleus sampling mass (off when absent)'),
  topK: z.number().int().min(0).optional().describe('top-k sampling cutoff (off when absent)'),
  maxTokens: z.number().int().min(1).default(256).describe('most tokens per proof; a proof cut here is dropped (rule truncated)'),
  scoreBatchSize: z.number().int().min(1).default(8).describe('sequences per scoring run (log π(ẑ|s,l) and log π(ẑ))'),
  rules: ruleLimitsSchema.default(ruleLimitsSchema.parse({})).describe('rule-check limits'),
  seed: z.number().int().optional().describe('sampling seed (default: the pipeline seed); each pair samples from a seed derived from it and the pair id'),
}).strict();

/** Parsed synthesis settings. */
export type SynthesisOptions = z.output<typeof synthesisSchema>;
