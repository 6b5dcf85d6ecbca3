// Options of the built-in TaskAdapter kind `fine-tune`: the trainer (full or LoRA), which targets the task pairs get
// (label-only, prover-written rationales, or the records' own rationales), and the prover's synthesis settings.
// Strict zod with documented defaults (docs/self-training.md, "Task adaptation").
import { z } from 'zod';
import { kindEntry } from '../../core/recipe/stage-helpers.js';
import { synthesisSchema } from '../prover/prover-options.js';

/** Which targets the fine-tune adapter trains on. */
export const TARGET_MODES = ['auto', 'label-only', 'prover', 'rationale'] as const;

/** One target mode. */
export type TargetMode = (typeof TARGET_MODES)[number];

/** Options of `fine-tune`. */
export const fineTuneSchema = z.object({
  trainer: kindEntry('full', 'Trainer').describe('the Trainer kind (full or lora; a lora result is the adapter over its recorded base, merged when loaded; merge: true also writes a merged copy) and its options'),
  targets: z.enum(TARGET_MODES).default('auto')
    .describe('rationale GRMs: label-only (<answer> l </answer>), prover (the prover writes a rationale for each gold label), rationale (the records\' own), auto (own rationale if the record has one, else prover when the stage has a prover, else label-only)'),
  fallback: z.enum(['label-only', 'drop']).default('label-only')
    .describe('prover targets: what a pair gets when every prover candidate fails the rules — a label-only target, or nothing'),
  proof: synthesisSchema.prefault({}).describe('prover synthesis settings: k, temperature, maxTokens, rules, seed (as synthesize-rationales)'),
  batchSize: z.number().int().min(1).default(16).describe('pairs per prover call'),
  seed: z.number().int().optional().describe('seed of the trainer and the proofs (default: the pipeline seed)'),
}).strict();

/** Parsed `fine-tune` options. */
export type FineTuneOptions = z.output<typeof fineTuneSchema>;
