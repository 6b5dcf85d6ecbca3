// Evaluator `best-of-n`: on CandidateSets (candidates with oracle correctness), for each n the fraction of
// prompts where the ranker's pick among the first n candidates is correct, beside the oracle upper bound (any
// of the n correct) and the random-pick expectation (mean fraction correct). Sets run side by side
// (`concurrency`) and their comparisons share judge calls (coalesceJudge). The ranker is any Ranker kind, resolved
// through the container's KindLookup.
import { inject, injectable } from 'inversify';
import { KindLookupId } from '../../core/di/identifiers.js';
import type { KindLookup } from '../../core/di/kind-lookup.js';
import type { DataRecord } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import { coalesceJudge } from '../../core/reward/coalesce-judge.js';
import type { EvalReport, Evaluator, Judge, SetOutcome } from '../../core/reward/evaluator.js';
import { compareFromJudge } from '../../core/reward/judge-compare.js';
import type { Compare, Ranker } from '../../core/reward/ranker.js';
import { bestOfNOptionsSchema, parseOptions } from './options.js';
import { asCandidateSet, type EvalCandidateSet } from './records-check.js';
import { buildReport } from './tables.js';

/** Default n values: 1, 2, 4, ... below the largest set size, then the largest set size. */
export function defaultNs(maxSize: number): number[] {
  const ns: number[] = [];
  for (let n = 1; n < maxSize; n *= 2) ns.push(n);
  ns.push(maxSize);
  return ns;
}

/** The `best-of-n` evaluator. */
@injectable()
export class BestOfNEvaluator implements Evaluator {
  readonly kind = 'best-of-n';
  constructor(@inject(KindLookupId) private readonly lookup: KindLookup) {}

  async evaluate(records: DataRecord[], judge: Judge, options: unknown, ctx: TaskContext): Promise<EvalReport> {
    const o = parseOptions(this.kind, bestOfNOptionsSchema, options);
    const sets = records.map((r, i) => asCandidateSet(this.kind, r, i));
    const maxSize = Math.max(0, ...sets.map((s) => s.texts.length));
    const ns = [...new Set(o.ns ?? (maxSize > 0 ? defaultNs(maxSize) : []))].sort((x, y) => x - y);
    const tally = { judgments: 0, noAnswers: 0 };
    const compare = compareFromJudge(coalesceJudge(countingJudge(judge, tally), o.batchSize), o.position);
    const ranker = this.lookup.get<Ranker>('Ranker', o.ranker, {}, `${this.kind} evaluator: ranker`).impl;
    const rows: Array<Record<string, string | number | undefined>> = [];
    const metrics: Record<string, number> = {};
    const counts: Record<string, number> = { sets: sets.length };
    const run: RankRun = {
      ranker, compare, concurrency: o.concurrency, ctx,
      outcomes: sets.map((s) => ({ id: s.id, byN: {} })), indexOf: new Map(sets.map((s, i) => [s, i])),
      done: 0, total: ns.reduce((s, n) => s + sets.filter((x) => x.texts.length >= n).length, 0),
    };
    for (const n of ns) {
      const eligible = sets.filter((s) => s.texts.length >= n);
      const t = await rankAtN(run, eligible, n);
      const m = eligible.length;
      const row = m === 0 ? { n, sets: 0 } : {
        n, sets: m, pick: t.picked / m, oracle: t.oracle / m, random: t.random / m, comparisons: t.comparisons / m, rounds: t.rounds / m,
      };
      rows.push(row);
      counts[`sets.n${n}`] = m;
      if (m > 0) { metrics[`pick@${n}`] = t.picked / m; metrics[`oracle@${n}`] = t.oracle / m; metrics[`random@${n}`] = t.random / m; }
    }
    counts.judgments = tally.judgments; counts.noAnswer = tally.noAnswers;
    if (tally.judgments > 0) metrics.noAnswerRate = tally.noAnswers / tally.judgments;
    return {
      ...buildReport(`Best-of-n (${o.ranker})`, metrics, counts,
      [{ title: 'Best-of-n accuracy', columns: ['n', 'sets', 'pick', 'oracle', 'random', 'comparisons', 'rounds'], rateColumns: ['pick', 'oracle', 'random'], rows }],
      reportNotes(o.ranker, o.position, sets, ns)),
      sets: run.outcomes,
    };
  }
}

/** A judge that passes batches to `judge` and counts its judgments and no-answers into `tally`. */
function countingJudge(judge: Judge, tally: { judgments: number; noAnswers: number }): Judge {
  return async (batch, c) => {
    const out = await judge(batch, c);
    tally.judgments += out.length;
    tally.noAnswers += out.filter((x) => x.label === undefined).length;
    return out;
  };
}

/** What every n's ranking shares: the ranker, the comparison, per-set outcomes and the progress count. */
interface RankRun {
  ranker: Ranker;
  compare: Compare;
  concurrency: number;
  ctx: TaskContext;
  outcomes: SetOutcome[];
  indexOf: Map<EvalCandidateSet, number>;
  done: number;
  total: number;
}

/** Sums over the sets ranked at one n. */
interface NTally { picked: number; oracle: number; random: number; comparisons: number; rounds: number }

/** Ranks the first n candidates of every eligible set, `concurrency` sets at a time, recording each set's outcome. */
async function rankAtN(run: RankRun, eligible: EvalCandidateSet[], n: number): Promise<NTally> {
  const t: NTally = { picked: 0, oracle: 0, random: 0, comparisons: 0, rounds: 0 };
  for (let i = 0; i < eligible.length; i += run.concurrency) {
    run.ctx.signal.throwIfAborted();
    const chunk = eligible.slice(i, i + run.concurrency);
    const results = await Promise.all(chunk.map((s) => run.ranker.rank(s.prompt, s.texts.slice(0, n), run.compare, run.ctx)));
    chunk.forEach((s, k) => {
      const r = results[k]!;
      const correct = s.correct.slice(0, n);
      const set = { pick: correct[r.best] === true, oracle: correct.some(Boolean), random: correct.filter(Boolean).length / n };
      run.outcomes[run.indexOf.get(s)!]!.byN[String(n)] = set;
      if (set.pick) t.picked++;
      if (set.oracle) t.oracle++;
      t.random += set.random;
      t.comparisons += r.comparisons; t.rounds += r.rounds;
    });
    run.done += chunk.length;
    run.ctx.progress.update({ done: run.done, total: run.total, unit: 'rankings', metrics: { n } });
  }
  return t;
}

/** The report's notes: the ranker, the position policy and how many sets were too small for the largest n. */
function reportNotes(ranker: string, position: string, sets: EvalCandidateSet[], ns: number[]): string[] {
  return [
    `Ranker: ${ranker}; position: ${position}. For each n, every set with at least n candidates is ranked on its first n candidates `
      + `(${sets.length - (ns.length ? sets.filter((s) => s.texts.length >= ns[ns.length - 1]!).length : 0)} set(s) too small for the largest n).`,
    'pick: the ranker\'s choice is correct; oracle: any of the n is correct (upper bound); random: expected accuracy of a uniform pick. '
      + 'comparisons / rounds: mean per set. A comparison with no answer counts as p = ½ (the lower index wins).',
  ];
}
