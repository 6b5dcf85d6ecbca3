// The Evaluator contract: measures a judge on a dataset and returns tables (markdown + JSON).
// Implementations (plugins/evaluators): pairwise accuracy, RM-Bench, JudgeBench, best-of-n, position bias;
// every pairwise report also carries the no-answer rate. docs/judging.md defines each number.
import type { DataRecord } from '../data/records.js';
import type { TaskContext } from '../pipeline/task-context.js';

/** One judged pair, as evaluators see it: the pair is judged in the order given (A = batch item's `a`). */
export interface JudgeOutcome {
  /** Label the judge gave ('A' | 'B'), or undefined for no answer. */
  label: 'A' | 'B' | undefined;
  /** Probability of the given label (softmax over the two label tokens); absent when the judge computes none. */
  confidence?: number;
  /** Why there is no label (e.g. `no-answer-tag`, `not-a-label`, `vote-tie`); absent when there is one. */
  noAnswer?: string;
  /** Whether voting@k ended in a tie (broken by confidence, or left as no answer). */
  voteTie?: boolean;
}

/** A judge evaluators can call: judge each pair (a, b) for its prompt, in the order given. */
export type Judge = (batch: Array<{ prompt: string; a: string; b: string }>, ctx: TaskContext) => Promise<JudgeOutcome[]>;

/** A table of a report, as JSON (the markdown renders the same rows). */
export interface EvalTable {
  /** Table heading. */
  title: string;
  /** Column keys, in display order (each row has a value, or undefined shown as "–"). */
  columns: string[];
  /** The columns that hold rates: fractions in [0, 1] in JSON, percentages in the markdown. */
  rateColumns: string[];
  /** One object per row, keyed by column. */
  rows: Array<Record<string, string | number | undefined>>;
}

/** An evaluation result. */
export interface EvalReport {
  /** Headline numbers by name (e.g. `accuracy`, `hard`, `overall`); fractions in [0, 1]. */
  metrics: Record<string, number>;
  /** The tables and notes rendered as markdown (rates shown as percentages). */
  markdown: string;
  /** Counts behind the numbers (items, no-answers, ties...). */
  counts: Record<string, number>;
  /** The report's tables as JSON. */
  tables: EvalTable[];
  /** Plain-language notes (which domains the data has, what was skipped and why). */
  notes: string[];
}

/** An evaluator of one kind. */
export interface Evaluator {
  /** The kind name a config uses. */
  readonly kind: string;
  /** Evaluate `judge` on `records`; `options` are parsed by the kind's schema (defaults applied). */
  evaluate(records: DataRecord[], judge: Judge, options: unknown, ctx: TaskContext): Promise<EvalReport>;
}
