// Stage `report`: assembles the run's report — accuracy tables with cluster-robust standard errors over pairs from
// `evaluate` reports, best-of-n against the oracle with bootstrap bands, included markdown, claims checked by paired
// tests on the same pairs, wall time and tokens/s per stage, seeds and config — as report.md + report.json + SVG
// plots, copied to the run folder. docs/reading-the-report.md explains every number.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { injectable } from 'inversify';
import { WorkError } from '../../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../core/io/atomic-write.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import { barChart, lineChart } from './svg-chart.js';
import { stageTimings } from './stage-timings.js';
import type { ReportOptions } from './report-options.js';
import { readRow, type EvalRow } from './eval-rows.js';
import { compareRows, type TestSettings } from './compare-rows.js';
import { bestOfNMarkdown, bestOfNRows } from './best-of-n-section.js';

const pct = (v: number | undefined, digits = 1): string => (v === undefined ? '–' : `${(100 * v).toFixed(digits)}%`);
const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** A row as report.json records it (without the per-pair outcomes). */
function rowJson(r: EvalRow): Omit<EvalRow, 'outcomes'> {
  const { outcomes: _, ...rest } = r;
  return rest;
}

@injectable()
export class ReportStage implements Stage<ReportOptions> {
  readonly kind = 'report';
  /** The report reads the manifests (timings, metrics) of every stage before it. */
  readonly readsEarlierStages = true;
  inputs(o: ReportOptions): string[] {
    return [...new Set([...o.tables.flatMap((t) => t.rows.map((r) => r.from)), ...(o.bestOfN ? [o.bestOfN.from] : []), ...o.include.map((i) => i.from)])];
  }
  outputs(o: ReportOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'report' }];
  }

  async run(o: ReportOptions, ctx: StageContext): Promise<StageResult> {
    const out = ctx.artifacts.outputDir(o.to);
    const md: string[] = [`# ${o.title}`, ''];
    if (o.intro) md.push(o.intro, '');
    md.push(`Run \`${ctx.run.name}\`, seed ${ctx.seed}, backend ${ctx.run.backendChain}. Numbers are what this run measured; rerunning with the same seed reproduces them.`, '');
    const json: Record<string, unknown> = { title: o.title, run: ctx.run.name, seed: ctx.seed, backend: ctx.run.backendChain, tables: [] };
    const doc: ReportDoc = { out, md, json, plots: [] };
    const allRows = new Map<string, EvalRow>();

    const stats: TestSettings = { resamples: o.statistics.resamples, alpha: o.statistics.alpha, seed: o.statistics.seed ?? ctx.seed };
    for (const t of o.tables) {
      for (const r of await tableSection(doc, t, ctx)) allRows.set(r.label, r);
    }
    if (o.bestOfN) await bestOfNSection(doc, o.bestOfN, ctx, stats);
    for (const inc of o.include) includeSection(doc, inc, ctx);
    if (o.comparisons.length) comparisonsSection(doc, o.comparisons, allRows, stats);
    const timings = timingsSection(doc, ctx);

    md.push('## Seeds and config', '', `Seed ${ctx.seed}; pipeline file \`${path.basename(ctx.run.file)}\`. The validated config:`, '', '```yaml', toYaml(ctx.run.config).trim(), '```', '');
    json.config = ctx.run.config;
    json.plots = doc.plots;

    const text = md.join('\n');
    await writeFileAtomic(path.join(out, 'report.md'), text);
    await writeJsonAtomic(path.join(out, 'report.json'), json);
    if (o.copyToRunDir) {
      for (const f of ['report.md', 'report.json', ...doc.plots]) copyFileSync(path.join(out, f), path.join(ctx.run.dir, f));
    }
    return { metrics: { tables: o.tables.length, plots: doc.plots.length, stagesTimed: timings.length }, summary: `report -> ${path.join(ctx.run.dir, 'report.md')}` };
  }
}

/** The report being assembled: its output folder, markdown lines, report.json object and plot files, in order. */
interface ReportDoc {
  out: string;
  md: string[];
  json: Record<string, unknown>;
  plots: string[];
}

/** Appends one accuracy table (and its bar chart when asked); returns its rows. */
async function tableSection(doc: ReportDoc, t: ReportOptions['tables'][number], ctx: StageContext): Promise<EvalRow[]> {
  const { md } = doc;
  const rows = t.rows.map((r) => readRow(ctx.artifacts.path(r.from), r));
  md.push(`## ${t.title}`, '', '| model | value | ± s.e. | pairs | no-answer | order flips | picks first |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) md.push(`| ${r.label} | ${pct(r.value)} | ${pct(r.se)} | ${r.pairs ?? '–'} | ${pct(r.noAnswerRate)} | ${pct(r.flipRate)} | ${pct(r.firstPositionRate)} |`);
  md.push('', `Value: \`${[...new Set(rows.map((r) => r.metric))].join('`, `')}\` of each evaluation. ± s.e.: standard error over pairs, the orders of a pair `
    + 'counted as one cluster (cluster-robust). Order flips: pairs judged in both orders whose verdict changed with the order (position bias); '
    + 'picks first: answers that chose the response shown first.', '');
  for (const r of rows.filter((x) => x.noOutcomes)) md.push(`- No standard error for "${r.label}": ${r.noOutcomes}.`);
  if (rows.some((x) => x.noOutcomes)) md.push('');
  if (t.plot) {
    const file = `${slug(t.title)}.svg`;
    await writeFileAtomic(path.join(doc.out, file), barChart(t.title, rows.map((r) => ({ label: r.label, value: r.value, se: r.se }))));
    doc.plots.push(file);
    md.push(`![${t.title}](${file})`, '');
  }
  (doc.json.tables as unknown[]).push({ title: t.title, rows: rows.map(rowJson) });
  return rows;
}

/** Appends the best-of-n section: its table with bootstrap bands and its line chart. */
async function bestOfNSection(doc: ReportDoc, b: NonNullable<ReportOptions['bestOfN']>, ctx: StageContext, stats: TestSettings): Promise<void> {
  const { rows, banded } = bestOfNRows(ctx.artifacts.path(b.from), b.from, stats);
  doc.md.push(...bestOfNMarkdown(b.title, rows, banded, stats));
  const series = (['pick', 'oracle', 'random'] as const).map((k) => ({ name: k === 'pick' ? 'GRM pick' : k === 'oracle' ? 'oracle' : 'random pick', points: rows.map((r): [number, number | undefined] => [r.n, r[k]]) }));
  await writeFileAtomic(path.join(doc.out, 'best-of-n.svg'), lineChart(b.title, 'n (candidates)', series));
  doc.plots.push('best-of-n.svg');
  doc.md.push('![best-of-n](best-of-n.svg)', '');
  doc.json.bestOfN = Object.fromEntries(rows.map(({ n, ...r }) => [n, r]));
}

/** Appends an included markdown file under its own heading. */
function includeSection(doc: ReportDoc, inc: ReportOptions['include'][number], ctx: StageContext): void {
  const file = path.join(ctx.artifacts.path(inc.from), inc.file);
  if (!existsSync(file)) throw new WorkError(`report: include "${inc.from}" has no ${inc.file} (${file})`);
  // The included file's own title is replaced by ours; its sections move one level down.
  const body = readFileSync(file, 'utf8').replace(/^# [^\n]*\n/, '').replace(/^#{1,2} /gm, (h) => `#${h}`);
  doc.md.push(`## ${inc.title}`, '', body.trim(), '');
}

/** Appends "What the numbers say": each claim checked by paired tests on the pairs both rows were judged on. */
function comparisonsSection(doc: ReportDoc, comparisons: ReportOptions['comparisons'], allRows: Map<string, EvalRow>, stats: TestSettings): void {
  const { md } = doc;
  md.push('## What the numbers say', '');
  const verdicts = comparisons.map((c) => {
    const a = allRows.get(c.better);
    const b = allRows.get(c.than);
    if (!a || !b) throw new WorkError(`report: comparison "${c.claim}" names a row that is not in any table ("${!a ? c.better : c.than}")`);
    return compareRows(c, a, b, stats);
  });
  for (const v of verdicts) md.push(`- ${v.text}`);
  md.push('', `Each claim compares the two models on the pairs both were judged on. Difference: mean over pairs of the per-pair `
    + `outcome difference; interval: paired bootstrap over pairs (${stats.resamples} resamples, seeded); p: exact two-sided sign test `
    + `on the per-pair differences (McNemar's exact test when outcomes are 0/1). A claim holds when the difference is positive and `
    + `p < ${stats.alpha}, is contradicted when it is negative and p < ${stats.alpha}, and is not shown otherwise.`, '');
  doc.json.comparisons = verdicts;
  doc.json.statistics = stats;
}

/** Appends wall time and tokens/s of every earlier stage; returns those timings. */
function timingsSection(doc: ReportDoc, ctx: StageContext): ReturnType<typeof stageTimings> {
  const timings = stageTimings(ctx.run.dir).filter((t) => t.id !== ctx.stageId);
  doc.md.push('## Wall time and throughput per stage', '', '| stage | kind | wall time | tokens/s |', '|---|---|---:|---:|');
  for (const t of timings) doc.md.push(`| ${t.id} | ${t.kind} | ${t.seconds.toFixed(1)} s | ${t.tokensPerSecond === undefined ? '–' : Math.round(t.tokensPerSecond)} |`);
  const total = timings.reduce((s, t) => s + t.seconds, 0);
  doc.md.push(`| total | | ${total.toFixed(1)} s | |`, '');
  doc.json.timings = timings;
  return timings;
}
