// Best-of-n by a linear "king of the hill" pass (METHOD.md, "Best-of-n"): the current best meets each next
// candidate (challenger shown as A, as in the authors' demo); n−1 sequential comparisons. Only the winner is
// meaningful: `order` is the winner, then the other candidates by index.
import type { TaskContext } from '../pipeline/task-context.js';
import type { Compare, Match, Ranker, RankResult } from './ranker.js';
import { checkCandidates, compareBatch } from './rank-helpers.js';

/** The linear pass. */
export class LinearRanker implements Ranker {
  readonly kind = 'linear';

  async rank(prompt: string, candidates: string[], compare: Compare, ctx: TaskContext): Promise<RankResult> {
    checkCandidates(this.kind, candidates);
    let king = 0;
    const matches: Match[] = [];
    for (let i = 1; i < candidates.length; i++) {
      const [m] = await compareBatch(compare, prompt, candidates, [[i, king]], ctx);
      matches.push(m!);
      king = m!.winner;
    }
    const order = [king, ...candidates.map((_, i) => i).filter((i) => i !== king)];
    return { order, best: king, complete: candidates.length <= 2, comparisons: matches.length, matches, rounds: matches.length };
  }
}
