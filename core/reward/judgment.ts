// The judging layer's records: one Judgment per model call (one order, one sample) and the PairVerdict that
// combines a pair's judgments (voting over samples, then the two orders). Plain JSON-serializable objects.
import type { Label } from '../data/records.js';

/** Which order the pair was shown in: `original` (pair.a as A) or `swapped` (pair.b as A). */
export type Order = 'original' | 'swapped';

/**
 * Why a judgment or verdict has no label. From the output text: `no-answer-tag` (no complete
 * `<answer>...</answer>`), `not-a-label` (an answer other than A/B), `conflicting-answers` (answers A and B).
 * From the judge: `prompt-too-long` (over the context limit and not truncatable, or truncation refused),
 * `tied-logits` (GRAM v1 with equal label logits). From combining: `vote-tie`, `orders-disagree`.
 */
export type NoAnswerReason =
  | 'no-answer-tag' | 'not-a-label' | 'conflicting-answers'
  | 'prompt-too-long' | 'tied-logits'
  | 'vote-tie' | 'orders-disagree';

/** Label probabilities (softmax over the two label-token logits only). */
export interface LabelProbs {
  /** P(A). */
  A: number;
  /** P(B) = 1 − P(A). */
  B: number;
}

/** One model judgment of one pair in one order (one sample). */
export interface Judgment {
  /** The pair's id. */
  pairId: string;
  /** The order the pair was shown in. */
  order: Order;
  /** Index of this sample among the k votes (0-based). */
  sample: number;
  /** The seed this sample was generated with. */
  seed: number;
  /** The label in the ORIGINAL pair's terms (A = pair.a), or undefined for no answer. */
  label: Label | undefined;
  /** The label as the model wrote it, in the shown order. */
  shownLabel: Label | undefined;
  /** P(shown label) at the answer position; undefined without scores or without an answer. */
  confidence: number | undefined;
  /** Label probabilities at the answer position in the SHOWN order; undefined when not computed. */
  shownProbs: LabelProbs | undefined;
  /** The `<think>` body, trimmed; undefined when absent (always for GRAM v1). */
  rationale: string | undefined;
  /** The model's raw output text ("" for GRAM v1, which generates nothing). */
  raw: string;
  /** Why there is no label; undefined when there is one. */
  noAnswer: NoAnswerReason | undefined;
  /** Whether a response was cut to fit the context (see truncate.ts). */
  truncated: boolean;
  /** The rendered prompt the model saw (the untruncated one when it was refused as too long). */
  prompt?: string;
}

/** A pair's combined result. */
export interface PairVerdict {
  /** The pair's id. */
  pairId: string;
  /** The preferred response in the original pair's terms, or undefined for no answer. */
  label: Label | undefined;
  /** P(label): mean over the judgments that have scores (original terms); undefined without scores. */
  confidence: number | undefined;
  /** P(pair.a preferred), swap-averaged over orders and averaged over samples; undefined without scores. */
  probA: number | undefined;
  /** Why there is no label; undefined when there is one. */
  noAnswer: NoAnswerReason | undefined;
  /** Whether a vote (in any order) was a tie broken by confidence or left unresolved. */
  voteTie: boolean;
  /** With both orders: whether the two orders' voted labels differ (undefined with one order or a missing answer). */
  ordersDisagree: boolean | undefined;
  /** Every judgment made, by order then sample. */
  judgments: Judgment[];
}
