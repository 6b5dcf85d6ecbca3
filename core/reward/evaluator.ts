// The Evaluator contract: measures a judge on a dataset and returns tables (markdown + JSON).
// Implementations: pairwise accuracy, RM-Bench, JudgeBench, best-of-n, position bias, no-answer rate.
import type { DataRecord } from '../data/records.js';
import type { TaskContext } from '../pipeline/task-context.js';

/** One judged pair, as evaluators see it. */
export interface JudgeOutcome {
  /** Label the judge gave ('A' | 'B'), or undefined for no answer. */
  label: 'A' | 'B' | undefined;
  /** Probability of the given label (softmax over the two label tokens). */
  confidence: number;
}

/** A judge evaluators can call: judge the pair (a, b) for the prompt. */
export type Judge = (batch: Array<{ prompt: string; a: string; b: string }>, ctx: TaskContext) => Promise<JudgeOutcome[]>;

/** An evaluation result. */
export interface EvalReport {
  /** Headline numbers by name (e.g. `accuracy`, `hard`, `overall`). */
  metrics: Record<string, number>;
  /** Table rendered as markdown. */
  markdown: string;
  /** Counts behind the numbers (items, no-answers, ties...). */
  counts: Record<string, number>;
}

/** An evaluator of one kind. */
export interface Evaluator {
  /** The kind name a config uses. */
  readonly kind: string;
  /** Evaluate `judge` on `records`. */
  evaluate(records: DataRecord[], judge: Judge, options: unknown, ctx: TaskContext): Promise<EvalReport>;
}
