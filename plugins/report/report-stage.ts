// Stage `report`: assembles the run's report — accuracy tables (with standard errors) from `evaluate` reports,
// best-of-n against the oracle, included markdown, claims checked against the numbers, wall time and tokens/s
// per stage, seeds and config — as report.md + report.json + SVG plots, copied to the run folder.
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

interface EvalJson { metrics: Record<string, number>; counts?: Record<string, number> }
interface Row { label: string; from: string; metric: string; value?: number; n?: number; se?: number; noAnswerRate?: number; flipRate?: number; firstPositionRate?: number }

const pct = (v: number | undefined, digits = 1): string => (v === undefined ? '–' : `${(100 * v).toFixed(digits)}%`);
const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function readEval(dir: string, from: string): EvalJson {
  const file = path.join(dir, 'report.json');
  if (!existsSync(file)) throw new WorkError(`report: "${from}" has no report.json (${file}); is it the output of an evaluate stage?`);
  return JSON.parse(readFileSync(file, 'utf8')) as EvalJson;
}

/** Standard error of an accuracy p over n items. */
function stderr(p: number | undefined, n: number | undefined): number | undefined {
  return p === undefined || !n ? undefined : Math.sqrt((p * (1 - p)) / n);
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
    const plots: string[] = [];
    const allRows = new Map<string, Row>();

    for (const t of o.tables) {
      const rows: Row[] = t.rows.map((r) => {
        const e = readEval(ctx.artifacts.path(r.from), r.from);
        const n = e.counts?.judgedLabeled ?? e.counts?.pairsLabeled;
        const value = e.metrics[r.metric];
        return { ...r, value, n, se: stderr(value, n), noAnswerRate: e.metrics.noAnswerRate, flipRate: e.metrics.flipRate, firstPositionRate: e.metrics.firstPositionRate };
      });
      for (const r of rows) allRows.set(r.label, r);
      md.push(`## ${t.title}`, '', '| model | value | ± s.e. | n | no-answer | order flips | picks first |', '|---|---:|---:|---:|---:|---:|---:|');
      for (const r of rows) md.push(`| ${r.label} | ${pct(r.value)} | ${pct(r.se)} | ${r.n ?? '–'} | ${pct(r.noAnswerRate)} | ${pct(r.flipRate)} | ${pct(r.firstPositionRate)} |`);
      md.push('', `Value: \`${[...new Set(rows.map((r) => r.metric))].join('`, `')}\` of each evaluation. Order flips: pairs judged in both orders whose verdict changed with the order (position bias); picks first: answers that chose the response shown first.`, '');
      if (t.plot) {
        const file = `${slug(t.title)}.svg`;
        await writeFileAtomic(path.join(out, file), barChart(t.title, rows.map((r) => ({ label: r.label, value: r.value, se: r.se }))));
        plots.push(file);
        md.push(`![${t.title}](${file})`, '');
      }
      (json.tables as unknown[]).push({ title: t.title, rows });
    }

    if (o.bestOfN) {
      const e = readEval(ctx.artifacts.path(o.bestOfN.from), o.bestOfN.from);
      const ns = Object.keys(e.metrics).filter((k) => k.startsWith('pick@')).map((k) => Number(k.slice(5))).sort((a, b) => a - b);
      md.push(`## ${o.bestOfN.title}`, '', '| n | GRM pick | oracle (any correct) | random pick |', '|---:|---:|---:|---:|');
      for (const n of ns) md.push(`| ${n} | ${pct(e.metrics[`pick@${n}`])} | ${pct(e.metrics[`oracle@${n}`])} | ${pct(e.metrics[`random@${n}`])} |`);
      const series = (['pick', 'oracle', 'random'] as const).map((k) => ({ name: k === 'pick' ? 'GRM pick' : k === 'oracle' ? 'oracle' : 'random pick', points: ns.map((n): [number, number | undefined] => [n, e.metrics[`${k}@${n}`]]) }));
      await writeFileAtomic(path.join(out, 'best-of-n.svg'), lineChart(o.bestOfN.title, 'n (candidates)', series));
      plots.push('best-of-n.svg');
      md.push('', '![best-of-n](best-of-n.svg)', '');
      json.bestOfN = Object.fromEntries(ns.map((n) => [n, { pick: e.metrics[`pick@${n}`], oracle: e.metrics[`oracle@${n}`], random: e.metrics[`random@${n}`] }]));
    }

    for (const inc of o.include) {
      const file = path.join(ctx.artifacts.path(inc.from), inc.file);
      if (!existsSync(file)) throw new WorkError(`report: include "${inc.from}" has no ${inc.file} (${file})`);
      // The included file's own title is replaced by ours; its sections move one level down.
      const body = readFileSync(file, 'utf8').replace(/^# [^\n]*\n/, '').replace(/^#{1,2} /gm, (h) => `#${h}`);
      md.push(`## ${inc.title}`, '', body.trim(), '');
    }

    if (o.comparisons.length) {
      md.push('## What the numbers say', '');
      const verdicts = o.comparisons.map((c) => {
        const a = allRows.get(c.better);
        const b = allRows.get(c.than);
        if (!a || !b) throw new WorkError(`report: comparison "${c.claim}" names a row that is not in any table ("${!a ? c.better : c.than}")`);
        if (a.value === undefined || b.value === undefined) return { ...c, holds: undefined, text: `${c.claim}: cannot tell (a value is missing).` };
        const diff = a.value - b.value;
        const se = Math.sqrt((a.se ?? 0) ** 2 + (b.se ?? 0) ** 2);
        const clear = se > 0 ? Math.abs(diff) > 2 * se : diff !== 0;
        const holds = diff > 0 && clear ? true : diff < 0 && clear ? false : undefined;
        const verdict = holds === true ? 'holds' : holds === false ? 'does not hold (the opposite is measured)' : 'is not shown at this scale (the difference is within two standard errors)';
        return { ...c, holds, diff, se, text: `${c.claim}: ${verdict} — ${c.better} ${pct(a.value)} vs ${c.than} ${pct(b.value)} (difference ${(100 * diff).toFixed(1)} points, ±${(100 * se).toFixed(1)} s.e.).` };
      });
      for (const v of verdicts) md.push(`- ${v.text}`);
      md.push('');
      json.comparisons = verdicts;
    }

    const timings = stageTimings(ctx.run.dir).filter((t) => t.id !== ctx.stageId);
    md.push('## Wall time and throughput per stage', '', '| stage | kind | wall time | tokens/s |', '|---|---|---:|---:|');
    for (const t of timings) md.push(`| ${t.id} | ${t.kind} | ${t.seconds.toFixed(1)} s | ${t.tokensPerSecond === undefined ? '–' : Math.round(t.tokensPerSecond)} |`);
    const total = timings.reduce((s, t) => s + t.seconds, 0);
    md.push(`| total | | ${total.toFixed(1)} s | |`, '');
    json.timings = timings;

    md.push('## Seeds and config', '', `Seed ${ctx.seed}; pipeline file \`${path.basename(ctx.run.file)}\`. The validated config:`, '', '```yaml', toYaml(ctx.run.config).trim(), '```', '');
    json.config = ctx.run.config;
    json.plots = plots;

    const text = md.join('\n');
    await writeFileAtomic(path.join(out, 'report.md'), text);
    await writeJsonAtomic(path.join(out, 'report.json'), json);
    if (o.copyToRunDir) {
      for (const f of ['report.md', 'report.json', ...plots]) copyFileSync(path.join(out, f), path.join(ctx.run.dir, f));
    }
    return { metrics: { tables: o.tables.length, plots: plots.length, stagesTimed: timings.length }, summary: `report -> ${path.join(ctx.run.dir, 'report.md')}` };
  }
}
