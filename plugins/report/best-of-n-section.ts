// The report's best-of-n section: pick / oracle / random accuracy per n from a best-of-n evaluation, with a
// confidence band for the pick (percentile bootstrap over candidate sets, from sets.jsonl) and for the pick's gain
// over a random pick (the same sets paired), a table and a line plot.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WorkError } from '../../core/errors.js';
import type { SetOutcome } from '../../core/reward/evaluator.js';
import { deriveSeed } from '../../core/reward/seeds.js';
import { readEval } from './eval-rows.js';
import { bootstrapMean } from './paired-stats.js';
import { pts, type TestSettings } from './compare-rows.js';

/** One n of the best-of-n table. */
export interface BestOfNRow {
  /** Candidates per set. */
  n: number;
  /** Sets with at least n candidates. */
  sets?: number;
  /** Accuracy of the GRM's pick. */
  pick?: number;
  /** Any of the n correct. */
  oracle?: number;
  /** Expected accuracy of a uniform pick. */
  random?: number;
  /** Bootstrap interval of `pick` over sets. */
  pickCi?: [number, number];
  /** Bootstrap interval of pick − random over the same sets. */
  gainCi?: [number, number];
}

function readSets(dir: string): SetOutcome[] | undefined {
  const file = path.join(dir, 'sets.jsonl');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      const s = JSON.parse(line) as SetOutcome;
      if (typeof s.id !== 'string' || s.byN === null || typeof s.byN !== 'object') throw new Error('needs "id" and "byN"');
      return [s];
    } catch (e) {
      throw new WorkError(`report: ${file}, line ${i + 1}: not a set outcome (${(e as Error).message})`);
    }
  });
}

/** The rows of the best-of-n table, with bands when the evaluation wrote sets.jsonl. */
export function bestOfNRows(dir: string, from: string, s: TestSettings): { rows: BestOfNRow[]; banded: boolean } {
  const e = readEval(dir, from);
  const ns = Object.keys(e.metrics).filter((k) => k.startsWith('pick@')).map((k) => Number(k.slice(5))).sort((a, b) => a - b);
  const sets = readSets(dir);
  const rows = ns.map((n): BestOfNRow => {
    const row: BestOfNRow = { n, sets: e.counts?.[`sets.n${n}`], pick: e.metrics[`pick@${n}`], oracle: e.metrics[`oracle@${n}`], random: e.metrics[`random@${n}`] };
    const per = (sets ?? []).flatMap((x) => (x.byN[String(n)] ? [x.byN[String(n)]!] : []));
    if (per.length === 0) return row;
    const pick = bootstrapMean(per.map((x) => (x.pick ? 1 : 0)), s.resamples, deriveSeed(s.seed, 'best-of-n', n), s.alpha);
    const gain = bootstrapMean(per.map((x) => (x.pick ? 1 : 0) - x.random), s.resamples, deriveSeed(s.seed, 'best-of-n-gain', n), s.alpha);
    return { ...row, pickCi: [pick.lo, pick.hi], gainCi: [gain.lo, gain.hi] };
  });
  return { rows, banded: sets !== undefined };
}

const pct = (v: number | undefined): string => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
const band = (ci: [number, number] | undefined, signed = false): string => {
  if (!ci) return '–';
  const f = (x: number): string => (signed ? pts(x) : (100 * x).toFixed(1));
  return `${f(ci[0])} to ${f(ci[1])}`;
};

/** The section's markdown lines (without the plot). */
export function bestOfNMarkdown(title: string, rows: BestOfNRow[], banded: boolean, s: TestSettings): string[] {
  const cov = `${Math.round(100 * (1 - s.alpha))}%`;
  const md = [`## ${title}`, '', `| n | sets | GRM pick | ${cov} CI | oracle (any correct) | random pick | pick − random, ${cov} CI (points) |`, '|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) md.push(`| ${r.n} | ${r.sets ?? '–'} | ${pct(r.pick)} | ${band(r.pickCi)} | ${pct(r.oracle)} | ${pct(r.random)} | ${band(r.gainCi, true)} |`);
  md.push('', banded
    ? `Bands: percentile bootstrap over candidate sets (${s.resamples} resamples, seeded), of the pick and of its gain over a uniform pick on the same sets.`
    : 'No bands: this evaluation has no sets.jsonl (per-set outcomes); re-run its evaluate stage to get them.', '');
  return md;
}
