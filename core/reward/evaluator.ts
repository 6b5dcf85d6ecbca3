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
  /** What the model saw and did, one entry per model call (vote sample); absent when the judge keeps none. */
  evidence?: JudgeEvidence[];
}

/** One model call behind a JudgeOutcome: the judgment logs keep these so a judgment can be read afterwards. */
export interface JudgeEvidence {
  /** The rendered prompt exactly as the model saw it (chat template applied, responses truncated to fit). */
  prompt: string;
  /** The raw generation ("" when the judge generates nothing: label logits, reward head). */
  raw: string;
  /** Index of this sample among the votes (0-based). */
  sample: number;
  /** The seed the sample was generated with, when sampled. */
  seed?: number;
  /** The parsed label in the SHOWN order; absent for no answer. */
  label?: 'A' | 'B';
  /** Label probabilities in the shown order (softmax over the two label tokens, or the reward head's σ), when computed. */
  probs?: { A: number; B: number };
  /** The `<think>` body, when present. */
  rationale?: string;
  /** Why this call gave no label. */
  noAnswer?: string;
  /** Whether a response was cut to fit the context. */
  truncated?: boolean;
  /** Reward-head judges: r(prompt, first) and r(prompt, second). */
  rewards?: [number, number];
}

/** One pair as an evaluator shows it to a judge; `id` and `order` only say where it came from (for the logs). */
export interface JudgeItem {
  /** The user input. */
  prompt: string;
  /** The response shown first. */
  a: string;
  /** The response shown second. */
  b: string;
  /** The record id, when the evaluator knows it. */
  id?: string;
  /** Which order of the record's pair this is (`swapped`: the record's b is shown first). */
  order?: 'original' | 'swapped';
}

/** A judge evaluators can call: judge each pair (a, b) for its prompt, in the order given. */
export type Judge = (batch: JudgeItem[], ctx: TaskContext) => Promise<JudgeOutcome[]>;

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

/** One order of a judged pair, in the original pair's terms. */
export interface OrderOutcomeRecord {
  /** The order shown. */
  order: 'original' | 'swapped';
  /** The judge's label mapped back to the original pair; absent for no answer. */
  label?: 'A' | 'B';
  /** Whether the label matches the gold label (no answer counts as wrong); absent for unlabeled pairs. */
  correct?: boolean;
}

/** One pair's outcome: what the report pairs two models on (the same id and content in both). */
export interface PairOutcome {
  /** The record id. */
  id: string;
  /** contentId(prompt, a, b) of the pair in its original order: two rows share a pair when id and key match. */
  key: string;
  /** Gold label; absent for unlabeled pairs. */
  gold?: 'A' | 'B';
  /** The record's benchmark domain (meta.category, else meta.domain), when it has one. */
  domain?: string;
  /** Every order judged, in judging order. */
  orders: OrderOutcomeRecord[];
  /** Whether the combined verdict of the orders (agreement, else swap-averaged probability) matches gold. */
  pairCorrect?: boolean;
}

/** One candidate set's best-of-n outcome per n (only the n the set is large enough for). */
export interface SetOutcome {
  /** The record id. */
  id: string;
  /** Per n (as a string key): the pick was correct, any of the n is correct, the fraction of the n that are correct. */
  byN: Record<string, { pick: boolean; oracle: boolean; random: number }>;
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
  /** Per-pair outcomes (pair evaluators), written beside report.json as pairs.jsonl for paired statistics. */
  pairs?: PairOutcome[];
  /** Per-set outcomes (best-of-n), written beside report.json as sets.jsonl for bootstrap bands. */
  sets?: SetOutcome[];
}

/** An evaluator of one kind. */
export interface Evaluator {
  /** The kind name a config uses. */
  readonly kind: string;
  /** Evaluate `judge` on `records`; `options` are parsed by the kind's schema (defaults applied). */
  evaluate(records: DataRecord[], judge: Judge, options: unknown, ctx: TaskContext): Promise<EvalReport>;
}
