// Pseudo-labeling (METHOD.md recipe step 4, first two bullets): the current GRM judges each unlabeled pair n times
// (PairJudge with votes n at temperature T: majority vote, ties by confidence), and a label is kept only when its
// probability (softmax over the two label tokens at the answer) reaches the threshold. Works over any VoteJudge (a
// PairJudge in this process, or the queue executor's `vote` jobs), so the logic is testable with a scripted model.
// Results go through a KeyedLog, so a rerun judges only what is missing.
import type { Label, PreferencePair } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { Judgment, PairVerdict } from '../../core/reward/judgment.js';
import type { JudgeInput } from '../../core/reward/pair-judge.js';
import type { KeyedLog } from './keyed-log.js';

/** What pseudo-labeling reads of a verdict: the voted label, its confidence and each vote's label and confidence. */
export type VerdictLike = Pick<PairVerdict, 'pairId' | 'label' | 'confidence' | 'noAnswer' | 'voteTie'> & {
  /** The votes (a PairVerdict's judgments, or just their labels and confidences). */
  judgments: ReadonlyArray<Pick<Judgment, 'label' | 'confidence'>>;
};

/** Whatever casts the votes of a chunk of pairs: a PairJudge, or the queue executor. One verdict per pair, in order. */
export interface VoteJudge {
  /** Votes on `pairs` (ids seed the samples). */
  judge(pairs: readonly JudgeInput[], ctx: TaskContext): Promise<VerdictLike[]>;
}

/** The fields of a pair the judge reads (id, prompt, a, b, instruction), as a plain JudgeInput. */
export function judgeInputOf(p: Pick<PreferencePair, 'id' | 'prompt' | 'a' | 'b' | 'instruction'>): JudgeInput {
  return { id: p.id, prompt: p.prompt, a: p.a, b: p.b, ...(p.instruction !== undefined ? { instruction: p.instruction } : {}) };
}

/**
 * How the confidence is taken from the votes: `winners` (mean P(label) of the runs that voted for it), `all` (the
 * verdict's own probability) or `agreement` (the share of all runs, both orders and unanswered ones included, that
 * voted for the label: a 2-1 split is 0.67, read from the verdicts rather than from P(label) after the model's own
 * "X is right.", which is near 1 whatever the vote).
 */
export type ConfidenceMode = 'winners' | 'all' | 'agreement';

/** One pseudo-labeled pair, as logged. */
export interface LabelLine {
  /** The pair's id. */
  id: string;
  /** The voted label; absent for no answer. */
  label?: Label;
  /** The probability compared with the threshold; absent without one. */
  confidence?: number;
  /** Votes for A, for B, and runs without an answer. */
  votes: { A: number; B: number; none: number };
  /** Whether the vote was a tie (broken by confidence, or left unanswered). */
  voteTie: boolean;
  /** Whether the label reached the threshold (the pair goes on to the prover). */
  confident: boolean;
  /** Why it stops here: `no-answer:<reason>`, `no-confidence` or `below-threshold`; absent when confident. */
  dropped?: string;
}

/** Settings of pseudo-labeling. */
export interface PseudoLabelSettings {
  /** Minimum label probability. */
  threshold: number;
  /** Which runs' probabilities are averaged. */
  confidence: ConfidenceMode;
  /** Pairs per judge call. */
  batchSize: number;
}

/** The confidence of a verdict under `mode` (see ConfidenceMode); undefined without a label or without runs to read. */
export function verdictConfidence(v: VerdictLike, mode: ConfidenceMode): number | undefined {
  if (v.label === undefined) return undefined;
  if (mode === 'all') return v.confidence;
  if (mode === 'agreement') return v.judgments.length === 0 ? undefined : v.judgments.filter((j) => j.label === v.label).length / v.judgments.length;
  const ps = v.judgments.flatMap((j) => (j.label === v.label && j.confidence !== undefined ? [j.confidence] : []));
  return ps.length === 0 ? undefined : ps.reduce((a, b) => a + b, 0) / ps.length;
}

/** The logged decision for one verdict. */
export function labelLine(v: VerdictLike, s: Pick<PseudoLabelSettings, 'threshold' | 'confidence'>): LabelLine {
  const votes = { A: 0, B: 0, none: 0 };
  for (const j of v.judgments) votes[j.label ?? 'none']++;
  const base = { id: v.pairId, votes, voteTie: v.voteTie };
  if (v.label === undefined) return { ...base, confident: false, dropped: `no-answer:${v.noAnswer ?? 'unknown'}` };
  const confidence = verdictConfidence(v, s.confidence);
  if (confidence === undefined) {
    return s.threshold > 0 ? { ...base, label: v.label, confident: false, dropped: 'no-confidence' } : { ...base, label: v.label, confident: true };
  }
  return confidence >= s.threshold
    ? { ...base, label: v.label, confidence, confident: true }
    : { ...base, label: v.label, confidence, confident: false, dropped: 'below-threshold' };
}

/**
 * Pseudo-labels `pairs` in order, `batchSize` pairs per judge call; pairs already in `log` are not judged again.
 * Returns one line per pair, in input order. `onBatch` reports progress (pairs done so far).
 */
export async function pseudoLabel(judge: VoteJudge, pairs: readonly PreferencePair[], s: PseudoLabelSettings, log: KeyedLog<LabelLine>,
  ctx: TaskContext, onBatch: (done: number) => void = () => {}): Promise<LabelLine[]> {
  const todo = pairs.filter((p) => log.get(p.id) === undefined);
  for (let i = 0; i < todo.length; i += s.batchSize) {
    ctx.signal.throwIfAborted();
    const chunk = todo.slice(i, i + s.batchSize);
    const verdicts = await judge.judge(chunk.map(judgeInputOf), ctx);
    await log.add(verdicts.map((v) => labelLine(v, s)));
    onBatch(pairs.length - todo.length + i + chunk.length);
  }
  return pairs.map((p) => log.get(p.id)!);
}
