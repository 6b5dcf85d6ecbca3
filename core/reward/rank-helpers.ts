// Shared pieces of the rankers: one batched, checked call to a Compare (probabilities must be numbers in
// [0, 1], one per pair) turned into Matches with the winner rule p > ½ -> a, p < ½ -> b, p = ½ -> lower index.
import type { TaskContext } from '../pipeline/task-context.js';
import type { Compare, Match } from './ranker.js';

/** Compare candidate index pairs [a, b] in ONE `compare` call; returns a Match per pair, in order. */
export async function compareBatch(compare: Compare, prompt: string, candidates: readonly string[],
  pairs: ReadonlyArray<readonly [number, number]>, ctx: TaskContext): Promise<Match[]> {
  ctx.signal.throwIfAborted();
  const ps = await compare(prompt, pairs.map(([a, b]) => ({ a: candidates[a]!, b: candidates[b]! })), ctx);
  if (!Array.isArray(ps) || ps.length !== pairs.length) {
    throw new Error(`compare returned ${Array.isArray(ps) ? ps.length : typeof ps} results for ${pairs.length} pairs`);
  }
  return pairs.map(([a, b], n) => {
    const p = ps[n]!;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new Error(`compare result ${n} (candidates ${a} vs ${b}) must be a probability in [0, 1], got ${p}`);
    }
    return { a, b, p, winner: p > 0.5 ? a : p < 0.5 ? b : Math.min(a, b) };
  });
}

/** Throw for an empty candidate list (nothing to rank). */
export function checkCandidates(kind: string, candidates: readonly string[]): void {
  if (!Array.isArray(candidates) || candidates.length === 0) throw new Error(`${kind} ranker: no candidates to rank (need at least 1)`);
  candidates.forEach((c, i) => {
    if (typeof c !== 'string') throw new TypeError(`${kind} ranker: candidate ${i} must be a string, got ${typeof c}`);
  });
}
