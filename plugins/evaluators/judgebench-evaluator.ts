// Evaluator `judgebench`: JudgeBench accuracy per category (meta.category: knowledge, reasoning, math,
// coding); overall = mean of the four (of those present, named in the report). Accuracy is over all judged
// orders; with `both`, the per-pair combined and consistent-and-correct numbers too.
import { injectable } from 'inversify';
import type { DataRecord } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { EvalReport, Evaluator, Judge } from '../../core/reward/evaluator.js';
import { judgePairs } from './judge-pairs.js';
import { pairOutcomes } from './pair-outcomes.js';
import { judgeBenchOptionsSchema, parseOptions } from './options.js';
import { collectPairs, meanOf, pairColumns, pick, POOLED, RATE_COLUMNS, standardNotes, tallyRow } from './pair-report.js';
import { addPair, emptyTally, rates, tally, type Tally } from './pair-stats.js';
import { fieldError } from './records-check.js';
import { buildReport } from './tables.js';

/** JudgeBench's categories, in report order. */
export const JUDGEBENCH_CATEGORIES = ['knowledge', 'reasoning', 'math', 'coding'] as const;

/** The `judgebench` evaluator. */
@injectable()
export class JudgeBenchEvaluator implements Evaluator {
  readonly kind = 'judgebench';

  async evaluate(records: DataRecord[], judge: Judge, options: unknown, ctx: TaskContext): Promise<EvalReport> {
    const o = parseOptions(this.kind, judgeBenchOptionsSchema, options);
    const { pairs, ties } = collectPairs(this.kind, records, 'required');
    const cats = pairs.map((p, i) => {
      const c = p.meta.category;
      if (!(JUDGEBENCH_CATEGORIES as readonly unknown[]).includes(c)) {
        throw fieldError(this.kind, p.record, i, 'meta.category', 'one of knowledge, reasoning, math, coding', c);
      }
      return c as string;
    });
    const judged = await judgePairs(pairs, judge, o.position, o.batchSize, ctx);
    const byCat = new Map<string, Tally>();
    judged.forEach((jp, i) => {
      if (!byCat.has(cats[i]!)) byCat.set(cats[i]!, emptyTally());
      addPair(byCat.get(cats[i]!)!, jp);
    });
    const present = JUDGEBENCH_CATEGORIES.filter((c) => byCat.has(c));
    const columns = pairColumns(o.position);
    const rows = present.map((c) => tallyRow('category', c, byCat.get(c)!));
    const total = tally(judged);
    const overall = tallyRow('category', 'overall', total);
    for (const k of ['accuracy', 'pairAccuracy', 'consistentCorrect']) overall[k] = meanOf(rows.map((r) => r[k] as number | undefined));
    rows.push(overall);
    const metrics = pick(rates(total), POOLED);
    for (const r of rows) {
      const name = r.category as string;
      if (name === 'overall') continue;
      if (r.accuracy !== undefined) metrics[name] = r.accuracy as number;
    }
    for (const k of ['accuracy', 'pairAccuracy', 'consistentCorrect']) {
      if (overall[k] !== undefined) metrics[k === 'accuracy' ? 'overall' : `overall.${k}`] = overall[k] as number;
    }
    const absent = JUDGEBENCH_CATEGORIES.filter((c) => !byCat.has(c));
    const notes = [
      `Categories in the data: ${present.join(', ') || '(none)'}${absent.length ? `; absent: ${absent.join(', ')}` : ''}. `
        + `overall = mean over the ${present.length} categor${present.length === 1 ? 'y' : 'ies'} present (noAnswerRate, flipRate, firstPositionRate: pooled over all pairs).`,
      ...standardNotes(o.position, ties),
    ];
    const counts: Record<string, number> = { ...total, skippedTies: ties };
    for (const c of present) counts[`pairs.${c}`] = byCat.get(c)!.pairs;
    return { ...buildReport('JudgeBench', metrics, counts, [{ title: 'JudgeBench accuracy', columns: ['category', ...columns], rateColumns: RATE_COLUMNS, rows }], notes), pairs: pairOutcomes(judged) };
  }
}
