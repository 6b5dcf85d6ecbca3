// The summary of a multi-seed study: reads report.json of every seed's run (runs/<name>/seed-<n>/) and writes
// study.json + study.md beside them — mean ± sd across seeds of every table row and best-of-n point, and per claim
// in how many seeds it held, was contradicted or was not shown. Reads only what the report stage wrote.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WorkError } from '../../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../core/io/atomic-write.js';

interface SeedReport {
  title?: string;
  tables?: Array<{ title: string; rows: Array<{ label: string; metric?: string; value?: number; se?: number; pairs?: number }> }>;
  comparisons?: Array<{ claim: string; better: string; than: string; verdict?: string; diff?: number }>;
  bestOfN?: Record<string, { pick?: number; oracle?: number; random?: number }>;
  timings?: Array<{ seconds: number }>;
}

/** Mean and sample standard deviation (n − 1) of the values present. */
export interface Spread {
  /** Values by seed (absent where the seed's report lacks it). */
  values: Record<string, number>;
  /** Mean over the seeds that have a value. */
  mean?: number;
  /** Sample standard deviation across seeds; undefined with fewer than two. */
  sd?: number;
}

/** What study.json holds. */
export interface StudySummary {
  /** Report title of the seeds' runs. */
  title: string;
  /** The command that made the study. */
  command: string;
  /** Seeds summarized (their reports exist). */
  seeds: number[];
  /** Table rows across seeds. */
  tables: Array<{ title: string; rows: Array<{ label: string; metric?: string } & Spread> }>;
  /** Claims across seeds. */
  claims: Array<{ claim: string; better: string; than: string; held: number; contradicted: number; notShown: number; verdicts: Record<string, string>; diff: Spread }>;
  /** Best-of-n per n across seeds. */
  bestOfN: Array<{ n: number; pick: Spread; oracle: Spread; random: Spread }>;
  /** Wall time of each seed's run, seconds (sum over its stages). */
  seconds: Spread;
}

/** Spread of `values` (by seed). */
export function spread(values: Record<string, number>): Spread {
  const xs = Object.values(values);
  if (xs.length === 0) return { values };
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length < 2 ? undefined : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
  return { values, mean, ...(sd !== undefined ? { sd } : {}) };
}

function readSeed(studyDir: string, seed: number): SeedReport {
  const file = path.join(studyDir, `seed-${seed}`, 'report.json');
  if (!existsSync(file)) {
    throw new WorkError(`study: seed ${seed} has no report (${file}); the pipeline needs a \`report\` stage with copyToRunDir (the default)`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as SeedReport;
}

/** Collect by key, keeping first-seen order. */
function collect<T>(seeds: number[], reports: SeedReport[], items: (r: SeedReport) => Array<[string, T]>): Map<string, Map<number, T>> {
  const out = new Map<string, Map<number, T>>();
  reports.forEach((r, i) => {
    for (const [key, v] of items(r)) {
      if (!out.has(key)) out.set(key, new Map());
      out.get(key)!.set(seeds[i]!, v);
    }
  });
  return out;
}

const bySeed = <T>(m: Map<number, T>, f: (v: T) => number | undefined): Record<string, number> =>
  Object.fromEntries([...m].flatMap(([s, v]) => { const x = f(v); return x === undefined ? [] : [[String(s), x]]; }));

/** Summarize the seeds' reports. */
export function summarizeStudy(studyDir: string, seeds: number[], command: string): StudySummary {
  const reports = seeds.map((s) => readSeed(studyDir, s));
  const tableTitles = [...new Set(reports.flatMap((r) => (r.tables ?? []).map((t) => t.title)))];
  const tables = tableTitles.map((title) => {
    const rows = collect(seeds, reports, (r) => (r.tables ?? []).filter((t) => t.title === title).flatMap((t) => t.rows.map((x): [string, typeof x] => [x.label, x])));
    return { title, rows: [...rows].map(([label, m]) => ({ label, metric: [...m.values()][0]?.metric, ...spread(bySeed(m, (x) => x.value)) })) };
  });
  const claims = [...collect(seeds, reports, (r) => (r.comparisons ?? []).map((c): [string, typeof c] => [c.claim, c]))].map(([claim, m]) => {
    const first = [...m.values()][0]!;
    const verdicts = Object.fromEntries([...m].map(([s, c]) => [String(s), c.verdict ?? 'unknown']));
    const count = (v: string): number => Object.values(verdicts).filter((x) => x === v).length;
    return { claim, better: first.better, than: first.than, held: count('holds'), contradicted: count('contradicted'), notShown: count('not shown'), verdicts, diff: spread(bySeed(m, (c) => c.diff)) };
  });
  const bon = collect(seeds, reports, (r) => Object.entries(r.bestOfN ?? {}));
  const bestOfN = [...bon].map(([n, m]) => ({ n: Number(n), pick: spread(bySeed(m, (x) => x.pick)), oracle: spread(bySeed(m, (x) => x.oracle)), random: spread(bySeed(m, (x) => x.random)) }))
    .sort((a, b) => a.n - b.n);
  const seconds = spread(Object.fromEntries(reports.map((r, i) => [String(seeds[i]), (r.timings ?? []).reduce((s, t) => s + t.seconds, 0)])));
  return { title: reports[0]?.title ?? 'study', command, seeds, tables, claims, bestOfN, seconds };
}

const pct = (v: number | undefined): string => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
const pts = (v: number | undefined): string => (v === undefined ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)}`);

/** study.md. */
export function studyMarkdown(s: StudySummary): string {
  const seedCols = s.seeds.map((n) => `seed ${n}`);
  const md = [`# Study: ${s.title}`, '', `${s.seeds.length} seeds (${s.seeds.join(', ')}), made by \`${s.command}\`. Each seed is a complete run of the same `
    + 'pipeline with its own report (seed-<n>/report.md); this page puts them side by side. mean ± sd: across seeds (sample standard deviation); '
    + 'the per-seed numbers and their paired tests are in each seed\'s report.', ''];
  for (const t of s.tables) {
    md.push(`## ${t.title}`, '', `| model | mean | ± sd | ${seedCols.join(' | ')} |`, `|---|---:|---:|${seedCols.map(() => '---:').join('|')}|`);
    for (const r of t.rows) md.push(`| ${r.label} | ${pct(r.mean)} | ${pct(r.sd)} | ${s.seeds.map((n) => pct(r.values[String(n)])).join(' | ')} |`);
    md.push('');
  }
  if (s.bestOfN.length) {
    md.push('## Best-of-n', '', '| n | GRM pick | ± sd | oracle | random pick |', '|---:|---:|---:|---:|---:|');
    for (const b of s.bestOfN) md.push(`| ${b.n} | ${pct(b.pick.mean)} | ${pct(b.pick.sd)} | ${pct(b.oracle.mean)} | ${pct(b.random.mean)} |`);
    md.push('');
  }
  if (s.claims.length) {
    md.push('## Claims across seeds', '', `| claim | held | contradicted | not shown | difference, mean ± sd (points) | ${seedCols.join(' | ')} |`,
      `|---|---:|---:|---:|---:|${seedCols.map(() => '---').join('|')}|`);
    for (const c of s.claims) {
      md.push(`| ${c.claim} | ${c.held} of ${s.seeds.length} | ${c.contradicted} | ${c.notShown} | ${pts(c.diff.mean)} ± ${c.diff.sd === undefined ? '–' : (100 * c.diff.sd).toFixed(1)} | `
        + `${s.seeds.map((n) => c.verdicts[String(n)] ?? '–').join(' | ')} |`);
    }
    md.push('', 'A claim holds in a seed when that seed\'s paired test on the same pairs finds the difference positive at p < alpha '
      + '(see a seed\'s report for its numbers); "held k of n" counts seeds, it is not a pooled test.', '');
  }
  md.push(`Wall time per seed: ${s.seeds.map((n) => `seed ${n} ${(s.seconds.values[String(n)] ?? 0).toFixed(1)} s`).join(', ')}.`, '');
  return md.join('\n');
}

/** Summarize and write study.json and study.md in `studyDir`; returns the summary. */
export async function writeStudy(studyDir: string, seeds: number[], command: string): Promise<StudySummary> {
  const s = summarizeStudy(studyDir, seeds, command);
  await writeJsonAtomic(path.join(studyDir, 'study.json'), s);
  await writeFileAtomic(path.join(studyDir, 'study.md'), studyMarkdown(s));
  return s;
}
