// The built-in ranking methods by kind name (linear, knockout, full, sort), for plugins/rankers and for
// evaluators that rank (best-of-n).
import { KnockoutRanker } from './knockout-ranker.js';
import { LinearRanker } from './linear-ranker.js';
import { MergeSortRanker } from './merge-sort-ranker.js';
import type { Ranker } from './ranker.js';
import { RoundRobinRanker } from './round-robin-ranker.js';

/** Kind names of the built-in rankers. */
export const RANKER_KINDS = ['linear', 'knockout', 'full', 'sort'] as const;

/** One built-in ranker kind. */
export type RankerKind = (typeof RANKER_KINDS)[number];

/** A new ranker of a built-in kind; an unknown kind is an error listing the valid ones. */
export function createRanker(kind: string): Ranker {
  switch (kind) {
    case 'linear': return new LinearRanker();
    case 'knockout': return new KnockoutRanker();
    case 'full': return new RoundRobinRanker();
    case 'sort': return new MergeSortRanker();
    default: throw new Error(`unknown ranker kind "${kind}"; valid kinds: ${RANKER_KINDS.join(', ')}`);
  }
}
