// Options of the `verifiable-math` data source (zod, strict): which split, how many records, the seed,
// difficulty knobs, the error types to use and the length limits. Also the splits and their default sizes.
import { z } from 'zod';
import { COLUMN_ERROR_TYPES, COLUMN_LAYOUTS } from './columns.js';
import { ERROR_TYPES, MULTI_STEP_ERRORS } from './flaws.js';

/** The splits of the main domain (arithmetic), in pipeline order. */
export const ARITHMETIC_SPLITS = ['seed', 'labeled', 'unlabeled-1', 'unlabeled-2', 'unlabeled-3', 'test', 'candidates'] as const;
/** The splits of the adaptation domain (measures: percentages, unit conversions). */
export const MEASURES_SPLITS = ['adapt-train', 'adapt-test'] as const;
/**
 * The base model's pretraining documents (family columns only): worked sums and differences, drawn only from
 * problems the partition gives to training-side splits, so no held-out problem is ever seen in pretraining.
 */
export const PRETRAIN_SPLIT = 'pretrain';
/** Every split. */
export const SPLITS = [...ARITHMETIC_SPLITS, ...MEASURES_SPLITS, PRETRAIN_SPLIT] as const;
/** One split. */
export type Split = (typeof SPLITS)[number];

/** Records per split when `count` is not given. */
export const DEFAULT_COUNTS: Readonly<Record<Split, number>> = {
  seed: 300, labeled: 3000, 'unlabeled-1': 1500, 'unlabeled-2': 1500, 'unlabeled-3': 1500, test: 500,
  candidates: 100, 'adapt-train': 1000, 'adapt-test': 300, pretrain: 5000,
};

const int = (lo: number, hi: number): z.ZodNumber => z.number().int().min(lo).max(hi);

/** The difficulty knobs. */
export const difficultySchema = z.object({
  maxOperand: int(2, 9999).default(99).describe('Largest number added or subtracted as given in a prompt.'),
  maxFactor: int(2, 99).default(12).describe('Largest multiplication factor given in a prompt (and largest unit count).'),
  minSteps: int(1, 3).default(1).describe('Fewest steps in a problem.'),
  maxSteps: int(1, 3).default(3).describe('Most steps in a problem.'),
}).strict();

/** The knobs of the `columns` family. */
export const columnsSchema = z.object({
  width: int(2, 12).default(4).describe('Digits per operand (zero-padded); results have width + 1 digits.'),
  minDigits: int(1, 12).default(3).describe('Fewest significant digits of an operand (drawn uniformly from minDigits..width).'),
  errorTypes: z.array(z.enum(COLUMN_ERROR_TYPES)).min(1).default([...COLUMN_ERROR_TYPES])
    .describe('Error types of the wrong result, used in turn: dropped-carry, phantom-carry, slipped-digit (one non-units digit changed).'),
  layout: z.enum(COLUMN_LAYOUTS).default('rows')
    .describe('Reference rationale layout: rows (carries, result digits, match flags) or aligned (every input copied into an aligned row: operands x, y, carries, result, responses A, B, then the match flags).'),
  gap: int(1, 64).default(1)
    .describe('pretrain split: the rows start after a newline and 1..gap spaces (drawn per document), so no problem digit sits at a fixed distance from the rows.'),
  compareShare: z.number().min(0).max(1).default(0)
    .describe('pretrain split: share of documents that also show two claimed results (lines A: and B: under the problem; each claimed digit right half the time, else often off by one) marked against the worked sum digit by digit (rows A, B, m); the rest are worked sums and differences only.'),
}).strict();

/** Options of `verifiable-math`. */
export const verifiableMathOptionsSchema = z.object({
  split: z.enum(SPLITS).describe('Which split to generate: seed (with rationales), labeled, unlabeled-1..3, test, candidates, adapt-train, adapt-test, or pretrain (family columns: worked sums and differences as prompt -> completion documents for a base model).'),
  count: z.number().int().positive().max(1_000_000).optional()
    .describe('Records to generate (default per split: seed 300, labeled 3000, unlabeled-* 1500, test 500, candidates 100, adapt-train 1000, adapt-test 300, pretrain 5000).'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0).describe('Seed of the generator; the same seed gives the same records.'),
  difficulty: difficultySchema.prefault({})
    .describe('Number sizes and step counts: maxOperand (99, largest number added or subtracted), maxFactor (12, largest multiplication factor), minSteps (1), maxSteps (3).'),
  errorTypes: z.array(z.enum(ERROR_TYPES)).min(1).default([...ERROR_TYPES])
    .describe('Error types the flawed responses carry (default: all five), used in turn.'),
  candidatesPerSet: int(2, 64).default(16).describe('candidates split: responses per candidate set.'),
  maxPairBytes: int(40, 100_000).default(160).describe('Longest prompt + both responses, in bytes (problems over it are drawn again).'),
  maxRationaleBytes: int(20, 100_000).default(100).describe('Longest reference rationale, in bytes (problems over it are drawn again).'),
  limit: z.number().int().positive().optional().describe('Stop after this many records.'),
  family: z.enum(['worked', 'columns']).optional()
    .describe('worked (default): multi-step arithmetic and word problems; columns: column addition (subtraction with borrows for adapt-*), digits least significant first.'),
  columns: columnsSchema.optional().describe('Knobs of the columns family: width (4), minDigits (3), errorTypes (all three). Defaults apply when family is columns and this is absent.'),
  rationales: z.boolean().optional().describe('Give labeled, test and adapt-* pairs the reference rationale too (RationaleExample), e.g. for an upper-bound GRM.'),
}).strict().superRefine((o, ctx) => {
  if (o.split === PRETRAIN_SPLIT && o.family !== 'columns') ctx.addIssue({ code: 'custom', path: ['split'], message: 'split pretrain needs family: columns' });
  if (o.columns !== undefined && o.family !== 'columns') ctx.addIssue({ code: 'custom', path: ['columns'], message: 'columns options need family: columns' });
  if (o.columns !== undefined && o.columns.minDigits > o.columns.width) {
    ctx.addIssue({ code: 'custom', path: ['columns', 'minDigits'], message: `minDigits (${o.columns.minDigits}) must not exceed width (${o.columns.width})` });
  }
  if (o.difficulty.minSteps > o.difficulty.maxSteps) {
    ctx.addIssue({ code: 'custom', path: ['difficulty', 'minSteps'], message: `minSteps (${o.difficulty.minSteps}) must not exceed maxSteps (${o.difficulty.maxSteps})` });
  }
  const dup = o.errorTypes.find((t, i) => o.errorTypes.indexOf(t) !== i);
  if (dup !== undefined) ctx.addIssue({ code: 'custom', path: ['errorTypes'], message: `lists "${dup}" twice` });
  const multi = o.errorTypes.filter((t) => MULTI_STEP_ERRORS.includes(t));
  if (multi.length > 0 && o.difficulty.maxSteps < 2) {
    ctx.addIssue({ code: 'custom', path: ['errorTypes'], message: `${multi.join(', ')} need problems of 2+ steps; raise difficulty.maxSteps or drop them` });
  }
});

/** Options as written in a config. */
export type VerifiableMathInput = z.input<typeof verifiableMathOptionsSchema>;
/** Options after parsing (defaults filled). */
export type VerifiableMathOptions = z.output<typeof verifiableMathOptionsSchema>;
