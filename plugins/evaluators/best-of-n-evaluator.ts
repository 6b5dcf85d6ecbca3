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
import type { Ranker } from '../../core/reward/ranker.js';
import { bestOfNOptionsSchema, parseOptions } from './options.js';
import { asCandidateSet } from './records-check.js';
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
    let judgments = 0; let noAnswers = 0;
    const counting: Judge = async (batch, c) => {
      const out = await judge(batch, c);
      judgments += out.length;
      noAnswers += out.filter((x) => x.label === undefined).length;
      return out;
    };
    const compare = compareFromJudge(coalesceJudge(counting, o.batchSize), o.position);
    const ranker = this.lookup.get<Ranker>('Ranker', o.ranker, {}, `${this.kind} evaluator: ranker`).impl;
    const rows: Array<Record<string, string | number | undefined>> = [];
    const metrics: Record<string, number> = {};
    const counts: Record<string, number> = { sets: sets.length };
    const total = ns.reduce((s, n) => s + sets.filter((x) => x.texts.length >= n).length, 0);
    let done = 0;
    const outcomes: SetOutcome[] = sets.map((s) => ({ id: s.id, byN: {} }));
    const indexOf = new Map(sets.map((s, i) => [s, i]));
    for (const n of ns) {
      const eligible = sets.filter((s) => s.texts.length >= n);
      let picked = 0; let oracle = 0; let random = 0; let comparisons = 0; let rounds = 0;
      for (let i = 0; i < eligible.length; i += o.concurrency) {
        ctx.signal.throwIfAborted();
        const chunk = eligible.slice(i, i + o.concurrency);
        const results = await Promise.all(chunk.map((s) => ranker.rank(s.prompt, s.texts.slice(0, n), compare, ctx)));
        chunk.forEach((s, k) => {
          const r = results[k]!;
          const correct = s.correct.slice(0, n);
          const set = { pick: correct[r.best] === true, oracle: correct.some(Boolean), random: correct.filter(Boolean).length / n };
          outcomes[indexOf.get(s)!]!.byN[String(n)] = set;
          if (set.pick) picked++;
          if (set.oracle) oracle++;
          random += set.random;
          comparisons += r.comparisons; rounds += r.rounds;
        });
        done += chunk.length;
        ctx.progress.update({ done, total, unit: 'rankings', metrics: { n } });
      }
      const m = eligible.length;
      const row = m === 0 ? { n, sets: 0 } : {
        n, sets: m, pick: picked / m, oracle: oracle / m, random: random / m, comparisons: comparisons / m, rounds: rounds / m,
      };
      rows.push(row);
      counts[`sets.n${n}`] = m;
      if (m > 0) { metrics[`pick@${n}`] = picked / m; metrics[`oracle@${n}`] = oracle / m; metrics[`random@${n}`] = random / m; }
    }
    counts.judgments = judgments; counts.noAnswer = noAnswers;
    if (judgments > 0) metrics.noAnswerRate = noAnswers / judgments;
    const notes = [
      `Ranker: ${o.ranker}; position: ${o.position}. For each n, every set with at least n candidates is ranked on its first n candidates `
        + `(${sets.length - (ns.length ? sets.filter((s) => s.texts.length >= ns[ns.length - 1]!).length : 0)} set(s) too small for the largest n).`,
      'pick: the ranker\'s choice is correct; oracle: any of the n is correct (upper bound); random: expected accuracy of a uniform pick. '
        + 'comparisons / rounds: mean per set. A comparison with no answer counts as p = ½ (the lower index wins).',
    ];
    return {
      ...buildReport(`Best-of-n (${o.ranker})`, metrics, counts,
      [{ title: 'Best-of-n accuracy', columns: ['n', 'sets', 'pick', 'oracle', 'random', 'comparisons', 'rounds'], rateColumns: ['pick', 'oracle', 'random'], rows }], notes),
      sets: outcomes,
    };
  }
}

