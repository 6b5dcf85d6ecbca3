// The rankers plugin: one inversify ContainerModule contributing the built-in ranking methods of core/reward as
// Ranker kinds — `linear` (king of the hill), `knockout` (tournament), `full` (round-robin), `sort` (merge
// sort). None has options. Modules only bind; the composition root loads it. docs/judging.md describes each.
import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { createRanker, type RankerKind } from '../../core/reward/rankers.js';

/** The plugin's name in contributions. */
export const RANKERS_PLUGIN = 'rankers';

/** Every kind with its one-line description, in documentation order. */
export const rankerKinds: ReadonlyArray<{ kind: RankerKind; description: string }> = [
  { kind: 'linear', description: 'best-of-n by a linear king-of-the-hill pass: n−1 sequential comparisons, winner only' },
  { kind: 'knockout', description: 'best-of-n by a knockout tournament: ⌈log2 n⌉ batched rounds, n−1 comparisons, byes for odd counts' },
  { kind: 'full', description: 'full ranking by round-robin: all n(n−1)/2 comparisons in one batch, ordered by wins' },
  { kind: 'sort', description: 'full ranking by bottom-up merge sort: about n·log2 n comparisons, batched per merge step' },
];

/** Rankers take no options. */
export const rankerOptionsSchema = z.object({}).strict();

/** The plugin module: binds each kind under ServiceIds.Ranker, named by kind, with its contribution. */
const rankersModule = new ContainerModule((options) => {
  for (const { kind, description } of rankerKinds) {
    contributeKind(options, RANKERS_PLUGIN, { point: 'Ranker', kind, description, schema: rankerOptionsSchema, impl: () => createRanker(kind) });
  }
});
export default rankersModule;

export { createRanker, RANKER_KINDS } from '../../core/reward/rankers.js';
