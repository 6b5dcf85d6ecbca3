// Options of the `gram-r2` self-training strategy: every knob METHOD.md leaves open (vote runs, temperature,
// threshold, k, proof temperature, rationale length, retrain mode, the trainer per round), each with the default
// docs/self-training.md documents. Strict zod.
import { z } from 'zod';
import { kindEntry } from '../../core/recipe/stage-helpers.js';
import { CONTENT_CHECKS, DEFAULT_RULE_LIMITS } from '../prover/proof-rules.js';

/** How the threshold's label probability is computed from the n votes. */
export const CONFIDENCE_MODES = ['winners', 'all', 'agreement'] as const;

/** Where a retrain starts. */
export const RETRAIN_MODES = ['backbone', 'continue'] as const;

/** Options of the `gram-r2` strategy. */
export const gramR2Schema = z.object({
  votes: z.number().int().min(1).default(5).describe('n: inference runs of the current GRM per pair (sampled), majority vote'),
  temperature: z.number().min(0).default(0.8).describe('T: sampling temperature of the vote runs (> 0 when votes > 1)'),
  topP: z.number().gt(0).max(1).optional().describe('nucleus sampling mass of the vote runs (off when absent)'),
  topK: z.number().int().min(1).optional().describe('top-k cutoff of the vote runs (off when absent)'),
  maxTokens: z.number().int().min(1).default(256).describe('most tokens the GRM writes per judgment (capped at half its context)'),
  position: z.enum(['none', 'random', 'both']).default('none')
    .describe('orders the GRM sees each pair in: none (as given, the paper), random (seeded swap), both (votes in each order, combined)'),
  threshold: z.number().min(0).max(1).default(0.8)
    .describe('keep a pseudo-label only when its probability (softmax over the two label tokens at the answer) is at least this'),
  confidence: z.enum(CONFIDENCE_MODES).default('winners')
    .describe('what is compared with the threshold: winners (mean P(label) of the runs that voted for the label), all (mean over every scored run) or agreement (share of all runs, both orders, that voted for the label)'),
  k: z.number().int().min(1).default(4).describe('prover candidates sampled per kept pair (the best by proof score is kept)'),
  proofTemperature: z.number().min(0).default(0.8).describe('sampling temperature of the prover candidates'),
  proofMaxTokens: z.number().int().min(1).default(256).describe('most tokens per prover candidate (a cut proof is dropped: rule truncated)'),
  maxRationaleBytes: z.number().int().min(1).default(DEFAULT_RULE_LIMITS.maxRationaleBytes).describe('longest rationale in UTF-8 bytes (rule length)'),
  minCopyBytes: z.number().int().min(1).default(DEFAULT_RULE_LIMITS.minCopyBytes).describe('a rationale repeating the prompt or a whole response of at least this many bytes is dropped (rule copies-input)'),
  content: z.enum(CONTENT_CHECKS).default(DEFAULT_RULE_LIMITS.content).describe('domain content check of the rationales: none, verifiable-math (worked steps) or columns (every column record recomputed from the prompt)'),
  retrain: z.enum(RETRAIN_MODES).default('backbone')
    .describe('where each retrain starts: backbone (the initial weights, on all data so far) or continue (the current GRM)'),
  trainer: kindEntry('full', 'Trainer').describe('the Trainer kind and its options for each round\'s retrain (epochs or steps per round, lr, ...)'),
  batchSize: z.number().int().min(1).default(16).describe('pairs per judge call and per prover call (results do not depend on it)'),
  modelBatchSize: z.number().int().min(1).default(8).describe('rows per model call of the GRM (results do not depend on it)'),
  scoreBatchSize: z.number().int().min(1).default(8).describe('sequences per proof-scoring run'),
  seed: z.number().int().optional().describe('seed of the votes, the proofs and the retrain (default: the pipeline seed)'),
}).strict().superRefine((o, ctx) => {
  if (o.votes > 1 && o.temperature === 0) {
    ctx.addIssue({ code: 'custom', path: ['temperature'], message: `votes = ${o.votes} with temperature 0 would give ${o.votes} identical runs; set temperature > 0 or votes: 1` });
  }
});

/** Parsed `gram-r2` options. */
export type GramR2Options = z.output<typeof gramR2Schema>;
