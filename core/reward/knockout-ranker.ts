// Best-of-n by a knockout tournament: each round pairs the survivors in order (1st vs 2nd, 3rd vs 4th, ...),
// all of a round's comparisons go to ONE compare call, an odd survivor out (the last) gets a bye; ⌈log2 n⌉
// rounds, n−1 comparisons. `order`: the champion, then the losers of each round, latest round first.
import type { TaskContext } from '../pipeline/task-context.js';
import type { Compare, Match, Ranker, RankResult } from './ranker.js';
import { checkCandidates, compareBatch } from './rank-helpers.js';

/** The knockout tournament. */
export class KnockoutRanker implements Ranker {
  readonly kind = 'knockout';

  async rank(prompt: string, candidates: string[], compare: Compare, ctx: TaskContext): Promise<RankResult> {
    checkCandidates(this.kind, candidates);
    let alive = candidates.map((_, i) => i);
    const matches: Match[] = [];
    const losersByRound: number[][] = [];
    while (alive.length > 1) {
      const pairs: Array<[number, number]> = [];
      for (let t = 0; t + 1 < alive.length; t += 2) pairs.push([alive[t]!, alive[t + 1]!]);
      const round = await compareBatch(compare, prompt, candidates, pairs, ctx);
      matches.push(...round);
      const next = round.map((m) => m.winner);
      if (alive.length % 2 === 1) next.push(alive[alive.length - 1]!);
      losersByRound.push(round.map((m) => (m.winner === m.a ? m.b : m.a)).sort((x, y) => x - y));
      alive = next;
    }
    const best = alive[0]!;
    const order = [best, ...losersByRound.reverse().flat()];
    return { order, best, complete: candidates.length <= 2, comparisons: matches.length, matches, rounds: losersByRound.length };
  }
}
