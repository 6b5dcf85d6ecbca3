// Evaluator `pairwise`: accuracy of a judge on labeled PreferencePairs, over all judged orders, plus the
// per-pair numbers of `both` (combined, consistent & correct), position bias and no-answer rate; optionally
// broken down by any record field (`groupBy`, e.g. meta.subset for LLMBar).
import { injectable } from 'inversify';
import type { DataRecord } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { EvalReport, EvalTable, Evaluator, Judge } from '../../core/reward/evaluator.js';
import { judgePairs } from './judge-pairs.js';
import { pairOutcomes } from './pair-outcomes.js';
import { pairwiseOptionsSchema, parseOptions } from './options.js';
import { collectPairs, pairColumns, RATE_COLUMNS, standardNotes, tallyRow } from './pair-report.js';
import { addPair, emptyTally, rates, tally, type Tally } from './pair-stats.js';
import { readPath } from './records-check.js';
import { buildReport } from './tables.js';

/** The `pairwise` evaluator. */
@injectable()
export class PairwiseEvaluator implements Evaluator {
  readonly kind = 'pairwise';

  async evaluate(records: DataRecord[], judge: Judge, options: unknown, ctx: TaskContext): Promise<EvalReport> {
    const o = parseOptions(this.kind, pairwiseOptionsSchema, options);
    const { pairs, ties } = collectPairs(this.kind, records, 'required');
    const judged = await judgePairs(pairs, judge, o.position, o.batchSize, ctx);
    const total = tally(judged);
    const columns = pairColumns(o.position);
    const tables: EvalTable[] = [{ title: 'Pairwise accuracy', columns: ['set', ...columns], rateColumns: RATE_COLUMNS, rows: [tallyRow('set', 'all', total)] }];
    const metrics = rates(total);
    if (o.groupBy !== undefined) {
      const groups = new Map<string, Tally>();
      for (const jp of judged) {
        const v = readPath(jp.pair.record, o.groupBy);
        const key = v === undefined ? '(none)' : String(v);
        if (!groups.has(key)) groups.set(key, emptyTally());
        addPair(groups.get(key)!, jp);
      }
      const names = [...groups.keys()].sort();
      tables.push({ title: `By ${o.groupBy}`, columns: [o.groupBy, ...columns], rateColumns: RATE_COLUMNS, rows: names.map((n) => tallyRow(o.groupBy!, n, groups.get(n)!)) });
      for (const n of names) { const a = rates(groups.get(n)!).accuracy; if (a !== undefined) metrics[`${n}.accuracy`] = a; }
    }
    const notes = standardNotes(o.position, ties);
    if (pairs.length === 0) notes.push('No labeled pairs to evaluate.');
    return { ...buildReport('Pairwise accuracy', metrics, { ...total, skippedTies: ties }, tables, notes), pairs: pairOutcomes(judged) };
  }
}
