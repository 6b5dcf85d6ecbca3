// Options of the `report` stage: which evaluation reports fill which table, the best-of-n report, extra
// markdown to include, the comparisons whose outcome the report states in words, and how they are tested.
import { z } from 'zod';

const row = z.object({
  label: z.string().describe('row label, e.g. "GRAM-R² after round 1"'),
  from: z.string().describe('report artifact written by an `evaluate` stage'),
  metric: z.string().default('accuracy')
    .describe('metric of its report.json to show as the row value; accuracy and pairAccuracy get standard errors over pairs and can be compared'),
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
    samePairs: z.boolean().default(false)
      .describe('require both rows on exactly the same pairs (always required when a row votes, voting@k); otherwise their shared pairs are compared'),
  }).strict()).default([])
    .describe('claims checked by a paired test on the pairs both rows were judged on: holds / contradicted / not shown, with the numbers'),
  statistics: z.object({
    resamples: z.number().int().min(100).default(2000).describe('paired-bootstrap resamples per comparison (and per best-of-n band)'),
    alpha: z.number().gt(0).lt(0.5).default(0.05).describe('significance level of the paired tests; intervals cover 1 − alpha'),
    seed: z.number().int().min(0).optional().describe('base seed of the bootstraps (default: the pipeline seed)'),
  }).strict().prefault({}).describe('how comparisons and bands are computed (docs/reading-the-report.md)'),
  copyToRunDir: z.boolean().default(true).describe('also copy report.md, report.json and plots to the run folder'),
}).strict();

/** Parsed options of `report`. */
export type ReportOptions = z.output<typeof reportSchema>;
