// Options of the `report` stage: which evaluation reports fill which table, the best-of-n report, extra
// markdown to include, and the comparisons whose outcome the report states in words.
import { z } from 'zod';

const row = z.object({
  label: z.string().describe('row label, e.g. "GRAM-R² after round 1"'),
  from: z.string().describe('report artifact written by an `evaluate` stage'),
  metric: z.string().default('accuracy').describe('metric of its report.json to show as the row value'),
}).strict();

/** Options of `report`. */
export const reportSchema = z.object({
  title: z.string().describe('report title'),
  intro: z.string().optional().describe('a paragraph under the title'),
  to: z.string().describe('report artifact: a folder with report.md, report.json and SVG plots'),
  tables: z.array(z.object({
    title: z.string().describe('table title, e.g. "Held-out test accuracy"'),
    rows: z.array(row).min(1),
    plot: z.boolean().default(true).describe('also draw a bar chart (SVG)'),
  }).strict()).default([]).describe('accuracy tables: each row one evaluation report'),
  bestOfN: z.object({ title: z.string().default('Best-of-n accuracy against the oracle'), from: z.string() }).strict().optional()
    .describe('a best-of-n evaluation report: table and line plot of pick / oracle / random by n'),
  include: z.array(z.object({ title: z.string(), from: z.string(), file: z.string().default('report.md') }).strict()).default([])
    .describe('markdown files of earlier report/files artifacts to include verbatim (e.g. per-round self-training reports)'),
  comparisons: z.array(z.object({
    claim: z.string().describe('the claim in words, e.g. "self-training improves the GRM"'),
    better: z.string().describe('label of the row expected to be better'),
    than: z.string().describe('label of the row it is compared with'),
  }).strict()).default([]).describe('claims the report checks against the numbers and states as holding or not'),
  copyToRunDir: z.boolean().default(true).describe('also copy report.md, report.json and plots to the run folder'),
}).strict();

/** Parsed options of `report`. */
export type ReportOptions = z.output<typeof reportSchema>;
