// The id under which this plugin binds core's KindLookup, so its stages can reach other plugins' kinds
// (Evaluator, Ranker) by the name a config gives, with early, named options errors (core/di/kind-lookup.ts).
export type { KindLookup } from '../../core/di/kind-lookup.js';

/** Service identifier of this plugin's KindLookup. */
export const KindLookupId = Symbol.for('gramr.judging-stages.KindLookup');
