// The evaluators plugin: one inversify ContainerModule contributing the Evaluator kinds `pairwise`,
// `rm-bench`, `judgebench`, `position-bias` and `best-of-n`, each with its strict options schema. Modules only
// bind; the composition root loads it. docs/judging.md ("Evaluators") defines every number they report.
import { ContainerModule } from 'inversify';
import type { z } from 'zod';
import { contributeKind } from '../../core/di/kind-contribution.js';
import type { Evaluator } from '../../core/reward/evaluator.js';
import { BestOfNEvaluator } from './best-of-n-evaluator.js';
import { JudgeBenchEvaluator } from './judgebench-evaluator.js';
import { bestOfNOptionsSchema, judgeBenchOptionsSchema, pairwiseOptionsSchema, positionBiasOptionsSchema, rmBenchOptionsSchema } from './options.js';
import { PairwiseEvaluator } from './pairwise-evaluator.js';
import { PositionBiasEvaluator } from './position-bias-evaluator.js';
import { RmBenchEvaluator } from './rm-bench-evaluator.js';

/** The plugin's name in contributions. */
export const EVALUATORS_PLUGIN = 'evaluators';

/** One kind this plugin provides. */
export interface EvaluatorKind {
  /** Kind name. */
  kind: string;
  /** One line for `gramr plugins` and the config reference. */
  description: string;
  /** Options schema (strict). */
  schema: z.ZodType;
  /** Implementation class (the container supplies what its constructor injects). */
  impl: new (...args: any[]) => Evaluator;
}

/** Every kind, in documentation order. */
export const evaluatorKinds: readonly EvaluatorKind[] = [
  { kind: 'pairwise', schema: pairwiseOptionsSchema, impl: PairwiseEvaluator,
    description: 'accuracy on labeled pairs (over judged orders; with both orders also per-pair), position bias, no-answer rate' },
  { kind: 'rm-bench', schema: rmBenchOptionsSchema, impl: RmBenchEvaluator,
    description: 'RM-Bench: accuracy per domain (chat/math/code/safety) and difficulty (easy/normal/hard), overall = mean of domains present' },
  { kind: 'judgebench', schema: judgeBenchOptionsSchema, impl: JudgeBenchEvaluator,
    description: 'JudgeBench: accuracy per category (knowledge/reasoning/math/coding), overall = mean of categories' },
  { kind: 'position-bias', schema: positionBiasOptionsSchema, impl: PositionBiasEvaluator,
    description: 'both orders of every pair: flip rate, first-position rate, no-answer rate (labels optional)' },
  { kind: 'best-of-n', schema: bestOfNOptionsSchema, impl: BestOfNEvaluator,
    description: 'best-of-n on candidate sets with oracle correctness: pick accuracy per n, oracle bound, random-pick expectation' },
];

/** The plugin module: binds each kind under ServiceIds.Evaluator, named by kind, with its contribution. */
const evaluatorsModule = new ContainerModule((options) => {
  for (const k of evaluatorKinds) {
    contributeKind(options, EVALUATORS_PLUGIN, { point: 'Evaluator', kind: k.kind, description: k.description, schema: k.schema, impl: k.impl });
  }
});
export default evaluatorsModule;

export { BestOfNEvaluator, defaultNs } from './best-of-n-evaluator.js';
export { JudgeBenchEvaluator, JUDGEBENCH_CATEGORIES } from './judgebench-evaluator.js';
export { PairwiseEvaluator } from './pairwise-evaluator.js';
export { PositionBiasEvaluator } from './position-bias-evaluator.js';
export { RmBenchEvaluator, RM_BENCH_DIFFICULTIES, RM_BENCH_REPORT_DOMAINS } from './rm-bench-evaluator.js';
export { judgePairs, type JudgedPair, type OrderOutcome } from './judge-pairs.js';
export { rates, tally, type Tally } from './pair-stats.js';
export * from './options.js';
