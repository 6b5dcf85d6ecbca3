// Evaluator `position-bias`: judges every pair in both orders (labels not needed) and reports how often the
// label follows the position instead of the response: flip rate (the original-terms label changes when
// swapped), split into "first both times" and "second both times", the first-position rate, no-answer rate.
import { injectable } from 'inversify';
import type { DataRecord } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { EvalReport, Evaluator, Judge } from '../../core/reward/evaluator.js';
import { judgePairs } from './judge-pairs.js';
import { pairOutcomes } from './pair-outcomes.js';
import { parseOptions, positionBiasOptionsSchema } from './options.js';
import { collectPairs, pick } from './pair-report.js';
import { rates, tally } from './pair-stats.js';
import { buildReport } from './tables.js';

const SHOWN = ['flipRate', 'firstBothRate', 'secondBothRate', 'firstPositionRate', 'noAnswerRate', 'accuracy'];

/** The `position-bias` evaluator. */
@injectable()
export class PositionBiasEvaluator implements Evaluator {
  readonly kind = 'position-bias';

  async evaluate(records: DataRecord[], judge: Judge, options: unknown, ctx: TaskContext): Promise<EvalReport> {
    const o = parseOptions(this.kind, positionBiasOptionsSchema, options);
    const { pairs } = collectPairs(this.kind, records, 'optional');
    const judged = await judgePairs(pairs, judge, 'both', o.batchSize, ctx);
    const total = tally(judged);
    const metrics = pick(rates(total), SHOWN);
    const rows = Object.entries(metrics).map(([metric, value]) => ({ metric, value }));
    const notes = [
      `${total.pairs} pairs judged in both orders; ${total.bothAnswered} answered in both (the flip rates' denominator).`,
      'flipRate = firstBothRate + secondBothRate: the judge picked the same POSITION both times. '
        + 'firstPositionRate: answered judgments that chose the response shown first (½ is unbiased on balanced data).',
      ...(total.pairsLabeled > 0 ? [`accuracy: over the judged orders of the ${total.pairsLabeled} labeled pair(s).`] : []),
    ];
    return { ...buildReport('Position bias', metrics, { ...total }, [{ title: 'Position bias', columns: ['metric', 'value'], rateColumns: ['value'], rows }], notes), pairs: pairOutcomes(judged) };
  }
}
