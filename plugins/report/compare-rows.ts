// A claim checked as a paired comparison: two rows on the same pairs (their intersection; exactly the same pairs
// when a row votes or the claim asks for it), the mean per-pair difference with a seeded paired-bootstrap interval,
// the exact sign test (McNemar's exact test on 0/1 outcomes), and the verdict in words with its numbers.
import { WorkError } from '../../core/errors.js';
import { deriveSeed } from '../../core/reward/seeds.js';
import type { EvalRow } from './eval-rows.js';
import { bootstrapMean, signTest, verdictOf, type Verdict } from './paired-stats.js';

/** A claim from the report options. */
export interface Claim {
  /** The claim in words. */
  claim: string;
  /** Row expected to be better. */
  better: string;
  /** Row it is compared with. */
  than: string;
  /** Require both rows to be on exactly the same pairs. */
  samePairs?: boolean;
}

/** How comparisons are tested. */
export interface TestSettings {
  /** Bootstrap resamples. */
  resamples: number;
  /** Significance level (and 1 − interval coverage). */
  alpha: number;
  /** Base seed of the bootstraps (each claim derives its own from it and its text). */
  seed: number;
}

/** A checked claim, as report.json records it. */
export interface ComparisonResult extends Claim {
  /** holds / contradicted / not shown. */
  verdict: Verdict;
  /** true when it holds, false when contradicted, undefined when not shown. */
  holds: boolean | undefined;
  /** Pairs both rows were judged on (the test's n). */
  n: number;
  /** Pairs of either row left out because the other row lacks them. */
  leftOut: { better: number; than: number };
  /** Mean outcome of each row on the shared pairs. */
  betterValue: number;
  /** Mean outcome of the other row on the shared pairs. */
  thanValue: number;
  /** Mean per-pair difference (better − than). */
  diff: number;
  /** Paired-bootstrap interval of the difference. */
  ci: [number, number];
  /** Paired-bootstrap standard error of the difference. */
  se: number;
  /** Exact sign test: pairs better, worse, equal, and the two-sided p-value. */
  test: { name: string; wins: number; losses: number; ties: number; p: number };
  /** The sentence the report prints. */
  text: string;
}

/** Signed points with a true minus sign (shared with the best-of-n bands). */
export const pts = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const pval = (p: number): string => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/** Shared pair identities of two rows; refuses rows on different pairs. */
function sharedPairs(c: Claim, a: EvalRow, b: EvalRow): string[] {
  for (const r of [a, b]) {
    if (!r.outcomes) throw new WorkError(`report: comparison "${c.claim}": row "${r.label}" has no per-pair outcomes (${r.noOutcomes}); a paired comparison needs them`);
  }
  if (a.metric !== b.metric) throw new WorkError(`report: comparison "${c.claim}" compares ${a.metric} ("${a.label}") with ${b.metric} ("${b.label}"); use the same metric`);
  const shared = [...a.outcomes!.keys()].filter((k) => b.outcomes!.has(k));
  const sizes = `"${a.label}" has ${a.outcomes!.size} labeled pairs, "${b.label}" ${b.outcomes!.size}`;
  if (shared.length === 0) {
    throw new WorkError(`report: comparison "${c.claim}": the rows are on different pairs (${sizes}, none in common by id and content); `
      + 'a paired comparison needs the two models judged on the same pairs');
  }
  const exact = c.samePairs === true || a.votes !== undefined || b.votes !== undefined;
  if (exact && (shared.length !== a.outcomes!.size || shared.length !== b.outcomes!.size)) {
    const why = c.samePairs === true ? 'the claim sets samePairs' : `"${(a.votes !== undefined ? a : b).label}" is a voting@${(a.votes ?? b.votes)!} row`;
    throw new WorkError(`report: comparison "${c.claim}": ${why}, so both rows must be on exactly the same pairs, but ${sizes} `
      + `(${shared.length} in common); judge both on the same \`from\` and \`limit\``);
  }
  return shared;
}

/** Check one claim on the two rows (see the file header). */
export function compareRows(c: Claim, a: EvalRow, b: EvalRow, s: TestSettings): ComparisonResult {
  const shared = sharedPairs(c, a, b);
  const ya = shared.map((k) => a.outcomes!.get(k)!);
  const yb = shared.map((k) => b.outcomes!.get(k)!);
  const diffs = ya.map((y, i) => y - yb[i]!);
  const n = shared.length;
  const mean = (xs: number[]): number => xs.reduce((t, x) => t + x, 0) / xs.length;
  const diff = mean(diffs);
  const boot = bootstrapMean(diffs, s.resamples, deriveSeed(s.seed, 'paired-bootstrap', c.claim), s.alpha);
  const st = signTest(diffs);
  const verdict = verdictOf(diff, st, s.alpha);
  const result = {
    ...c, verdict, holds: verdict === 'holds' ? true : verdict === 'contradicted' ? false : undefined, n,
    leftOut: { better: a.outcomes!.size - n, than: b.outcomes!.size - n }, betterValue: mean(ya), thanValue: mean(yb), diff,
    ci: [boot.lo, boot.hi] as [number, number], se: boot.se,
    test: { name: 'exact sign test on per-pair differences', wins: st.wins, losses: st.losses, ties: st.ties, p: st.p },
  };
  return { ...result, text: sentence(result, s) };
}

/** The verdict in words, with its numbers. */
function sentence(r: Omit<ComparisonResult, 'text'>, s: TestSettings): string {
  const head = r.verdict === 'holds' ? 'holds' : r.verdict === 'contradicted' ? 'is contradicted (the opposite is measured)'
    : `is not shown (p ${r.test.p < s.alpha ? `< ${s.alpha} but the mean difference and the sign test disagree` : `≥ ${s.alpha}`})`;
  const left = r.leftOut.better + r.leftOut.than > 0 ? `; ${r.leftOut.better} + ${r.leftOut.than} pairs judged by only one of them left out` : '';
  return `${r.claim}: ${head} — ${r.better} ${pct(r.betterValue)} vs ${r.than} ${pct(r.thanValue)} on the same ${r.n} pairs${left}; `
    + `difference ${pts(r.diff)} points (${Math.round(100 * (1 - s.alpha))}% paired-bootstrap CI ${pts(r.ci[0])} to ${pts(r.ci[1])}); `
    + `${r.test.wins} ${r.test.wins === 1 ? 'pair' : 'pairs'} better, ${r.test.losses} worse, ${r.test.ties} equal (exact sign test p = ${pval(r.test.p)}).`;
}
