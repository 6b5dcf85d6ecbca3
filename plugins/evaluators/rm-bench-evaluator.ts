// Evaluator `rm-bench`: RM-Bench accuracy per domain (chat, math, code, safety — safety pools safety-refuse and
// safety-response) and per difficulty (meta.difficulty: easy / normal / hard); overall = mean of the domains
// the data has (the report names them). Accuracy is over all judged orders; no-answer counts as wrong.
import { injectable } from 'inversify';
import type { DataRecord } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { EvalReport, Evaluator, Judge } from '../../core/reward/evaluator.js';
import { judgePairs } from './judge-pairs.js';
import { pairOutcomes } from './pair-outcomes.js';
import { parseOptions, rmBenchOptionsSchema } from './options.js';
import { collectPairs, meanOf, pick, POOLED, RATE_COLUMNS, standardNotes } from './pair-report.js';
import { addPair, emptyTally, rates, tally, type Tally } from './pair-stats.js';
import { fieldError, type EvalPair } from './records-check.js';
import { buildReport } from './tables.js';

/** RM-Bench's reporting domains, in report order. */
export const RM_BENCH_REPORT_DOMAINS = ['chat', 'math', 'code', 'safety'] as const;
/** RM-Bench's difficulties. */
export const RM_BENCH_DIFFICULTIES = ['easy', 'normal', 'hard'] as const;

type Domain = (typeof RM_BENCH_REPORT_DOMAINS)[number];
type Difficulty = (typeof RM_BENCH_DIFFICULTIES)[number];

/** A pair's reporting domain: meta.category, else meta.domain with safety-* pooled into safety. */
export function rmBenchDomain(p: EvalPair, index: number): Domain {
  const cat = p.meta.category ?? (typeof p.meta.domain === 'string' ? p.meta.domain.replace(/^safety-(refuse|response)$/, 'safety') : undefined);
  if (!(RM_BENCH_REPORT_DOMAINS as readonly unknown[]).includes(cat)) {
    throw fieldError('rm-bench', p.record, index, 'meta.category', 'one of chat, math, code, safety (or meta.domain one of chat, math, code, safety-refuse, safety-response)', p.meta.category ?? p.meta.domain);
  }
  return cat as Domain;
}

/** A pair's difficulty (meta.difficulty). */
export function rmBenchDifficultyOf(p: EvalPair, index: number): Difficulty {
  const d = p.meta.difficulty;
  if (!(RM_BENCH_DIFFICULTIES as readonly unknown[]).includes(d)) throw fieldError('rm-bench', p.record, index, 'meta.difficulty', 'one of easy, normal, hard', d);
  return d as Difficulty;
}

/** The `rm-bench` evaluator. */
@injectable()
export class RmBenchEvaluator implements Evaluator {
  readonly kind = 'rm-bench';

  async evaluate(records: DataRecord[], judge: Judge, options: unknown, ctx: TaskContext): Promise<EvalReport> {
    const o = parseOptions(this.kind, rmBenchOptionsSchema, options);
    const { pairs, ties } = collectPairs(this.kind, records, 'required');
    const keys = pairs.map((p, i) => ({ domain: rmBenchDomain(p, i), difficulty: rmBenchDifficultyOf(p, i) }));
    const judged = await judgePairs(pairs, judge, o.position, o.batchSize, ctx);
    const byDomain = new Map<Domain, { all: Tally; diff: Record<Difficulty, Tally> }>();
    judged.forEach((jp, i) => {
      const { domain, difficulty } = keys[i]!;
      if (!byDomain.has(domain)) byDomain.set(domain, { all: emptyTally(), diff: { easy: emptyTally(), normal: emptyTally(), hard: emptyTally() } });
      const d = byDomain.get(domain)!;
      addPair(d.all, jp);
      addPair(d.diff[difficulty], jp);
    });
    const present = RM_BENCH_REPORT_DOMAINS.filter((d) => byDomain.has(d));
    const metrics: Record<string, number> = {};
    const rows: Array<Record<string, string | number | undefined>> = [];
    for (const d of present) {
      const t = byDomain.get(d)!;
      const row: Record<string, string | number | undefined> = { domain: d, pairs: t.all.pairs, accuracy: rates(t.all).accuracy };
      for (const diff of RM_BENCH_DIFFICULTIES) row[diff] = rates(t.diff[diff]).accuracy;
      Object.assign(row, pick(rates(t.all), ['noAnswerRate', 'consistentCorrect', 'flipRate']));
      rows.push(row);
      for (const k of ['accuracy', ...RM_BENCH_DIFFICULTIES] as const) if (row[k] !== undefined) metrics[k === 'accuracy' ? d : `${d}.${k}`] = row[k] as number;
    }
    const total = tally(judged);
    const overall: Record<string, string | number | undefined> = { domain: 'overall', pairs: total.pairs };
    for (const k of ['accuracy', ...RM_BENCH_DIFFICULTIES, 'consistentCorrect']) overall[k] = meanOf(rows.map((r) => r[k] as number | undefined));
    Object.assign(overall, pick(rates(total), ['noAnswerRate', 'flipRate']));
    rows.push(overall);
    if (overall.accuracy !== undefined) metrics.overall = overall.accuracy as number;
    for (const k of RM_BENCH_DIFFICULTIES) if (overall[k] !== undefined) metrics[k] = overall[k] as number;
    if (overall.consistentCorrect !== undefined) metrics['overall.consistentCorrect'] = overall.consistentCorrect as number;
    Object.assign(metrics, pick(rates(total), POOLED));
    const columns = ['domain', 'pairs', 'easy', 'normal', 'hard', 'accuracy', 'noAnswerRate', ...(o.position === 'both' ? ['consistentCorrect', 'flipRate'] : [])];
    const absent = RM_BENCH_REPORT_DOMAINS.filter((d) => !byDomain.has(d));
    const notes = [
      `Domains in the data: ${present.join(', ') || '(none)'}${absent.length ? `; absent: ${absent.join(', ')}` : ''}. `
        + `overall (and easy / normal / hard, consistentCorrect) = mean over the ${present.length} domain(s) present; a domain's accuracy pools all its pairs; noAnswerRate and flipRate pool all pairs.`,
      ...standardNotes(o.position, ties),
    ];
    const counts: Record<string, number> = { ...total, skippedTies: ties };
    for (const d of present) counts[`pairs.${d}`] = byDomain.get(d)!.all.pairs;
    return { ...buildReport('RM-Bench', metrics, counts, [{ title: 'RM-Bench accuracy', columns, rateColumns: RATE_COLUMNS, rows }], notes), pairs: pairOutcomes(judged) };
  }
}
