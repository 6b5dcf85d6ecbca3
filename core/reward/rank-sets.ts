// Ranks many candidate sets with one Ranker over a Judge: sets run side by side (`concurrency`) and their
// comparisons share judge calls (coalesceJudge, at most `pairsPerCall` pairs each); each comparison is judged in
// the orders of the position mode (compareFromJudge). Results come back in input order. Used by `gramr rank` and
// the `rank` stage.
import type { TaskContext } from '../pipeline/task-context.js';
import { coalesceJudge } from './coalesce-judge.js';
import type { Judge } from './evaluator.js';
import { compareFromJudge } from './judge-compare.js';
import type { PositionMode } from './position.js';
import type { RankInput } from './rank-input.js';
import type { Ranker, RankResult } from './ranker.js';

/** Options of `rankSets`. */
export interface RankSetsOptions {
  /** Orders each comparison is judged in. */
  position: PositionMode;
  /** Most pairs per judge call. */
  pairsPerCall: number;
  /** Sets ranked side by side. */
  concurrency: number;
}

/** One ranked set. */
export interface RankedSet {
  /** The set's id. */
  id: string;
  /** The ranker's kind. */
  method: string;
  /** Index of the best candidate. */
  best: number;
  /** Text of the best candidate. */
  bestText: string;
  /** The ranking (or, when not `complete`, the winner first and the rest by index). */
  order: number[];
  /** Whether `order` is a full ranking. */
  complete: boolean;
  /** Comparisons made. */
  comparisons: number;
  /** Sequential compare calls. */
  rounds: number;
  /** Every comparison: candidate indices a and b, P(a better), the winner. */
  matches: RankResult['matches'];
}

/** Rank `sets` (in chunks of `concurrency`), calling `onChunk` with each chunk's results in input order. */
export async function rankSets(sets: readonly RankInput[], ranker: Ranker, judge: Judge, o: RankSetsOptions, ctx: TaskContext,
  onChunk?: (done: RankedSet[]) => Promise<void> | void): Promise<RankedSet[]> {
  const compare = compareFromJudge(coalesceJudge(judge, o.pairsPerCall), o.position);
  const out: RankedSet[] = [];
  for (let i = 0; i < sets.length; i += o.concurrency) {
    ctx.signal.throwIfAborted();
    const chunk = sets.slice(i, i + o.concurrency);
    const results = await Promise.all(chunk.map((s) => ranker.rank(s.prompt, s.texts, compare, ctx)));
    const ranked = chunk.map((s, k): RankedSet => {
      const r = results[k]!;
      return { id: s.id, method: ranker.kind, best: r.best, bestText: s.texts[r.best]!, order: r.order, complete: r.complete,
        comparisons: r.comparisons, rounds: r.rounds, matches: r.matches };
    });
    out.push(...ranked);
    await onChunk?.(ranked);
    ctx.progress.update({ done: i + chunk.length, total: sets.length, unit: 'sets' });
  }
  return out;
}
