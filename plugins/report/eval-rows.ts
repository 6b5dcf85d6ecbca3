// A report row read from an `evaluate` stage's folder: its headline value from report.json and, from pairs.jsonl,
// one outcome per labeled pair (the pair's share of correct orders for `accuracy`, its combined verdict for
// `pairAccuracy`) keyed by pair id and content, with the cluster-robust standard error over pairs.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WorkError } from '../../core/errors.js';
import type { PairOutcome } from '../../core/reward/evaluator.js';
import { clusterMean, type Cluster } from './paired-stats.js';

/** Metrics the report can pair over pairs (they are means of per-pair outcomes). */
export const PAIRED_METRICS = ['accuracy', 'pairAccuracy'] as const;

/** An evaluation's report.json, as far as the report reads it. */
export interface EvalJson {
  /** Headline numbers. */
  metrics: Record<string, number>;
  /** Counts behind them. */
  counts?: Record<string, number>;
  /** How the model was judged (evaluate stage). */
  run?: { judge?: { votes?: number }; grmJudge?: { votes?: number } };
}

/** One table row with what the statistics need. */
export interface EvalRow {
  /** Row label. */
  label: string;
  /** The evaluate report it comes from. */
  from: string;
  /** The metric shown. */
  metric: string;
  /** The metric's value (from report.json). */
  value?: number;
  /** Labeled pairs behind the value (clusters). */
  pairs?: number;
  /** Judgments behind the value (pairs × orders for `accuracy`). */
  judgments?: number;
  /** Cluster-robust standard error over pairs; undefined without per-pair outcomes. */
  se?: number;
  /** No-answer rate of the evaluation. */
  noAnswerRate?: number;
  /** Order-flip rate. */
  flipRate?: number;
  /** First-position rate. */
  firstPositionRate?: number;
  /** Votes per judgment (voting@k) when more than one. */
  votes?: number;
  /** Per-pair outcome by pair identity (id, content key, occurrence); undefined when unavailable. */
  outcomes?: Map<string, number>;
  /** Why `outcomes` is undefined. */
  noOutcomes?: string;
}

/** Read an evaluation's report.json. */
export function readEval(dir: string, from: string): EvalJson {
  const file = path.join(dir, 'report.json');
  if (!existsSync(file)) throw new WorkError(`report: "${from}" has no report.json (${file}); is it the output of an evaluate stage?`);
  return JSON.parse(readFileSync(file, 'utf8')) as EvalJson;
}

/** Read pairs.jsonl of an evaluation (undefined when absent); a malformed line is an error naming file and line. */
export function readPairOutcomes(dir: string): PairOutcome[] | undefined {
  const file = path.join(dir, 'pairs.jsonl');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    let p: PairOutcome;
    try {
      p = JSON.parse(line) as PairOutcome;
    } catch (e) {
      throw new WorkError(`report: ${file}, line ${i + 1}: not JSON (${(e as Error).message})`);
    }
    if (typeof p?.id !== 'string' || typeof p.key !== 'string' || !Array.isArray(p.orders)) {
      throw new WorkError(`report: ${file}, line ${i + 1}: a pair outcome needs string "id" and "key" and an "orders" array`);
    }
    return [p];
  });
}

/** A labeled pair's cluster for `metric` (undefined for unlabeled or unjudged pairs). */
function clusterOf(p: PairOutcome, metric: string): Cluster | undefined {
  if (p.gold === undefined || p.orders.length === 0) return undefined;
  if (metric === 'pairAccuracy') return { sum: p.pairCorrect ? 1 : 0, count: 1 };
  return { sum: p.orders.filter((o) => o.correct === true).length, count: p.orders.length };
}

/** Build a row: value from report.json, standard error and per-pair outcomes from pairs.jsonl when the metric allows. */
export function readRow(dir: string, r: { label: string; from: string; metric: string }): EvalRow {
  const e = readEval(dir, r.from);
  const votes = e.run?.judge?.votes ?? e.run?.grmJudge?.votes;
  const row: EvalRow = {
    ...r, value: e.metrics[r.metric], pairs: e.counts?.pairsLabeled, judgments: e.counts?.judgedLabeled,
    noAnswerRate: e.metrics.noAnswerRate, flipRate: e.metrics.flipRate, firstPositionRate: e.metrics.firstPositionRate,
    ...(votes !== undefined && votes > 1 ? { votes } : {}),
  };
  if (!(PAIRED_METRICS as readonly string[]).includes(r.metric)) {
    return { ...row, noOutcomes: `metric "${r.metric}" is not a mean over pairs (paired metrics: ${PAIRED_METRICS.join(', ')})` };
  }
  const outcomes = readPairOutcomes(dir);
  if (!outcomes) return { ...row, noOutcomes: `"${r.from}" has no pairs.jsonl (written by evaluate since per-pair outcomes were added; re-run that stage with --force)` };
  const byPair = new Map<string, number>();
  const clusters: Cluster[] = [];
  const seen = new Map<string, number>();
  for (const p of outcomes) {
    const c = clusterOf(p, r.metric);
    if (!c) continue;
    const base = `${p.id}\u0000${p.key}`;
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    byPair.set(`${base}\u0000${k}`, c.sum / c.count);
    clusters.push(c);
  }
  const m = clusterMean(clusters);
  if (row.value !== undefined && clusters.length > 0 && Math.abs(m.mean - row.value) > 1e-9) {
    throw new WorkError(`report: "${r.from}": pairs.jsonl gives ${r.metric} ${m.mean} but report.json says ${row.value}; the two files disagree`);
  }
  return { ...row, pairs: m.clusters, judgments: m.judgments, se: m.se, outcomes: byPair };
}
