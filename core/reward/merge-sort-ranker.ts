// Full ranking by bottom-up merge sort (kind `sort`): about n·log2 n comparisons instead of round-robin's
// n(n−1)/2. The merges of one level run side by side and each step's head-to-head comparisons (one per active
// merge) go to ONE compare call. The left run's head is shown first. Assumes a roughly transitive judge.
import type { TaskContext } from '../pipeline/task-context.js';
import type { Compare, Match, Ranker, RankResult } from './ranker.js';
import { checkCandidates, compareBatch } from './rank-helpers.js';

interface Merge { left: number[]; right: number[]; li: number; ri: number; out: number[] }

/** The merge-sort full ranking. */
export class MergeSortRanker implements Ranker {
  readonly kind = 'sort';

  async rank(prompt: string, candidates: string[], compare: Compare, ctx: TaskContext): Promise<RankResult> {
    checkCandidates(this.kind, candidates);
    let runs = candidates.map((_, i) => [i]);
    const matches: Match[] = [];
    let rounds = 0;
    while (runs.length > 1) {
      const merges: Merge[] = [];
      for (let t = 0; t + 1 < runs.length; t += 2) merges.push({ left: runs[t]!, right: runs[t + 1]!, li: 0, ri: 0, out: [] });
      const carry = runs.length % 2 === 1 ? [runs[runs.length - 1]!] : [];
      for (;;) {
        const active = merges.filter((m) => m.li < m.left.length && m.ri < m.right.length);
        if (active.length === 0) break;
        const step = await compareBatch(compare, prompt, candidates, active.map((m) => [m.left[m.li]!, m.right[m.ri]!] as [number, number]), ctx);
        rounds++;
        step.forEach((res, n) => {
          const m = active[n]!;
          matches.push(res);
          if (res.winner === m.left[m.li]) m.out.push(m.left[m.li++]!); else m.out.push(m.right[m.ri++]!);
        });
      }
      runs = [...merges.map((m) => [...m.out, ...m.left.slice(m.li), ...m.right.slice(m.ri)]), ...carry];
    }
    const order = runs[0]!;
    return { order, best: order[0]!, complete: true, comparisons: matches.length, matches, rounds };
  }
}
