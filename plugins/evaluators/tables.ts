// Rendering EvalReports: tables as markdown (rates as percentages with one decimal, missing values as "–")
// and the assembly of metrics, counts, tables and notes into one report.
import type { EvalReport, EvalTable } from '../../core/reward/evaluator.js';

/** One table as markdown. */
export function tableMarkdown(t: EvalTable): string {
  const cell = (col: string, v: string | number | undefined): string => {
    if (v === undefined) return '–';
    if (typeof v === 'string') return v.replace(/\|/g, '\\|');
    if (t.rateColumns.includes(col)) return `${(100 * v).toFixed(1)}%`;
    return Number.isInteger(v) ? String(v) : v.toFixed(3);
  };
  const lines = [
    `### ${t.title}`, '',
    `| ${t.columns.join(' | ')} |`,
    `|${t.columns.map(() => '---').join('|')}|`,
    ...t.rows.map((r) => `| ${t.columns.map((c) => cell(c, r[c])).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Build a report: markdown = a heading, the tables, then the notes as a list. */
export function buildReport(heading: string, metrics: Record<string, number>, counts: Record<string, number>,
  tables: EvalTable[], notes: string[]): EvalReport {
  const parts = [`## ${heading}`, ...tables.map(tableMarkdown)];
  if (notes.length > 0) parts.push(notes.map((n) => `- ${n}`).join('\n'));
  return { metrics, counts, tables, notes, markdown: `${parts.join('\n\n')}\n` };
}
