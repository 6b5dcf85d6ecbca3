// The Ranker contract: orders n candidate responses to one prompt using pairwise judgments
// (METHOD.md, "Best-of-n"). Implementations: linear pass, knockout tournament, full ranking.
import type { TaskContext } from '../pipeline/task-context.js';

/** A pairwise comparison function: resolves to the probability that `a` is better than `b` for `prompt`. */
export type Compare = (prompt: string, pairs: Array<{ a: string; b: string }>, ctx: TaskContext) => Promise<number[]>;

/** The outcome of ranking. */
export interface RankResult {
  /** Candidate indices, best first (a linear pass or knockout orders only the winner reliably: see `complete`). */
  order: number[];
  /** Index of the best candidate. */
  best: number;
  /** Whether `order` is a full ranking or only the winner is meaningful. */
  complete: boolean;
  /** How many pairwise comparisons were made. */
  comparisons: number;
}

/** A ranking method. */
export interface Ranker {
  /** The kind name a config uses (`linear`, `knockout`, `full`). */
  readonly kind: string;
  /** Rank `candidates` for `prompt`, batching comparisons through `compare` where the method allows. */
  rank(prompt: string, candidates: string[], compare: Compare, ctx: TaskContext): Promise<RankResult>;
}
