// The Ranker contract: orders n candidate responses to one prompt using pairwise judgments
// (METHOD.md, "Best-of-n"). Implementations (core/reward/*-ranker.ts, contributed by plugins/rankers):
// linear pass, knockout tournament, full ranking (round-robin), merge sort.
import type { TaskContext } from '../pipeline/task-context.js';

/** A pairwise comparison function: resolves to the probability that `a` is better than `b` for `prompt`. */
export type Compare = (prompt: string, pairs: Array<{ a: string; b: string }>, ctx: TaskContext) => Promise<number[]>;

/** One comparison a ranker made. */
export interface Match {
  /** Candidate index shown as `a`. */
  a: number;
  /** Candidate index shown as `b`. */
  b: number;
  /** The probability `compare` gave that `a` is better. */
  p: number;
  /** The winner's candidate index (p > ½ -> a, p < ½ -> b, p = ½ -> the lower index). */
  winner: number;
}

/** The outcome of ranking. */
export interface RankResult {
  /** Candidate indices, best first (a linear pass or knockout orders only the winner reliably: see `complete`). */
  order: number[];
  /** Index of the best candidate. */
  best: number;
  /** Whether `order` is a full ranking or only the winner is meaningful. */
  complete: boolean;
  /** How many pairwise comparisons were made (= matches.length). */
  comparisons: number;
  /** Every comparison made, in the order made. */
  matches: Match[];
  /** How many `compare` calls were made (sequential batches: n−1 linear, ⌈log2 n⌉ knockout, 1 round-robin). */
  rounds: number;
}

/** A ranking method. */
export interface Ranker {
  /** The kind name a config uses (`linear`, `knockout`, `full`, `sort`). */
  readonly kind: string;
  /** Rank `candidates` for `prompt`, batching comparisons through `compare` where the method allows. */
  rank(prompt: string, candidates: string[], compare: Compare, ctx: TaskContext): Promise<RankResult>;
}
