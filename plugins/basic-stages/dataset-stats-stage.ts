// Stage `dataset-stats`: counts, label balance, length statistics and per-category breakdowns of one or
// more record artifacts; writes stats.json and report.md. Works on preference pairs and on other records
// (for those it reports counts and field names).
import { injectable } from 'inversify';
import { z } from 'zod';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../core/io/atomic-write.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import { lengthSummary, summarizeRecords, type DatasetStats } from './summarize.js';

/** Options of `dataset-stats`. */
export const statsSchema = z.object({
  inputs: z.array(z.string()).min(1).describe('datasets or records artifacts to describe'),
  to: z.string().describe('name of the report artifact (a folder with stats.json and report.md)'),
  groupBy: z.array(z.string()).default(['domain', 'category', 'subset']).describe('meta fields to break counts down by'),
}).strict();
type StatsOptions = z.infer<typeof statsSchema>;

function pct(n: number, d: number): string {
  return d ? `${((100 * n) / d).toFixed(1)}%` : '-';
}

/** Markdown report of several datasets' stats. */
export function renderStats(all: DatasetStats[]): string {
  const lines = ['# Dataset statistics', '', '| dataset | records | pairs | A | B | tie | unlabeled | prompt chars (median / p95) | response chars (median / p95) |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const s of all) {
    const p = lengthSummary(s.promptChars);
    const r = lengthSummary(s.responseChars);
    const len = (x: { median: number; p95: number }): string => (s.pairs ? `${x.median} / ${x.p95}` : '-');
    lines.push(`| ${s.name} | ${s.records} | ${s.pairs} | ${pct(s.labels.A, s.pairs)} | ${pct(s.labels.B, s.pairs)} | ${pct(s.labels.tie, s.pairs)} | ${pct(s.labels.unlabeled, s.pairs)} | ${len(p)} | ${len(r)} |`);
  }
  for (const s of all) {
    const groups = Object.entries(s.groups);
    if (!groups.length && !s.otherFields.length) continue;
    lines.push('', `## ${s.name}`);
    if (s.otherFields.length) lines.push('', `Non-pair records with fields: ${s.otherFields.join(', ')}`);
    for (const [field, counts] of groups) {
      lines.push('', `By \`${field}\`: ` + Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', '));
    }
  }
  return lines.join('\n') + '\n';
}

@injectable()
export class DatasetStatsStage implements Stage<StatsOptions> {
  readonly kind = 'dataset-stats';
  inputs(o: StatsOptions): string[] {
    return o.inputs;
  }
  outputs(o: StatsOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'report' }];
  }
  async run(o: StatsOptions, ctx: StageContext): Promise<StageResult> {
    const all: DatasetStats[] = [];
    let done = 0;
    for (const name of o.inputs) {
      all.push(await summarizeRecords(name, ctx.artifacts.records(name), o.groupBy, ctx.signal));
      ctx.progress.update({ done: ++done, total: o.inputs.length, unit: 'datasets' });
    }
    const dir = ctx.artifacts.outputDir(o.to);
    const json = all.map((s) => ({ ...s, promptChars: lengthSummary(s.promptChars), responseChars: lengthSummary(s.responseChars) }));
    await writeJsonAtomic(path.join(dir, 'stats.json'), json);
    await writeFileAtomic(path.join(dir, 'report.md'), renderStats(all));
    const records = all.reduce((n, s) => n + s.records, 0);
    const pairs = all.reduce((n, s) => n + s.pairs, 0);
    return { metrics: { datasets: all.length, records, pairs }, summary: `${all.length} datasets, ${records} records (${pairs} pairs) -> ${path.join(path.basename(dir), 'report.md')}` };
  }
}
