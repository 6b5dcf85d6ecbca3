// Full ranking by round-robin (kind `full`): every pair once, all n(n−1)/2 comparisons in ONE compare call
// (pair i<j shows i first when i+j is even, else j first, to spread position). Points: 1 per win, ½ each for
// p = ½; ties in points broken by the sum of win probabilities, then by lower index. Robust to intransitive judges.
import type { TaskContext } from '../pipeline/task-context.js';
import type { Compare, Ranker, RankResult } from './ranker.js';
import { checkCandidates, compareBatch } from './rank-helpers.js';

/** The round-robin full ranking. */
export class RoundRobinRanker implements Ranker {
  readonly kind = 'full';

  async rank(prompt: string, candidates: string[], compare: Compare, ctx: TaskContext): Promise<RankResult> {
    checkCandidates(this.kind, candidates);
    const n = candidates.length;
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push((i + j) % 2 === 0 ? [i, j] : [j, i]);
    const matches = pairs.length === 0 ? [] : await compareBatch(compare, prompt, candidates, pairs, ctx);
    const points = new Array<number>(n).fill(0);
    const soft = new Array<number>(n).fill(0);
    for (const m of matches) {
      soft[m.a]! += m.p; soft[m.b]! += 1 - m.p;
      if (m.p === 0.5) { points[m.a]! += 0.5; points[m.b]! += 0.5; } else points[m.winner]! += 1;
    }
    // Soft totals equal in exact arithmetic can differ in the last bits (summation order): compare with a tolerance.
    const softDiff = (x: number, y: number): number => (Math.abs(soft[y]! - soft[x]!) > 1e-9 ? soft[y]! - soft[x]! : 0);
    const order = candidates.map((_, i) => i).sort((x, y) => points[y]! - points[x]! || softDiff(x, y) || x - y);
    return { order, best: order[0]!, complete: true, comparisons: matches.length, matches, rounds: matches.length > 0 ? 1 : 0 };
  }
}
