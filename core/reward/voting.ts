// voting@k (METHOD.md, "Pairwise judging"): majority over k sampled labels. No-answers do not vote. A tie
// (equal A and B votes) goes to the side whose voters were more confident on average; if that is equal or
// unknown, the vote has no answer (`vote-tie`). Ties are always reported. Pure functions.
import type { Label } from '../data/records.js';
import type { NoAnswerReason } from './judgment.js';

/** One sample's vote. */
export interface Vote {
  /** The sampled label, or undefined for no answer. */
  label: Label | undefined;
  /** P(A) at this sample's answer position (same terms as `label`), when scored. */
  probA: number | undefined;
  /** Why the sample has no label. */
  noAnswer?: NoAnswerReason;
}

/** The outcome of a vote. */
export interface VoteResult {
  /** The majority label, or undefined (no votes, or an unresolved tie). */
  label: Label | undefined;
  /** Mean P(label) over the scored samples (all of them, whatever they voted); undefined without scores or label. */
  confidence: number | undefined;
  /** Mean P(A) over the scored samples; undefined when none was scored. */
  probA: number | undefined;
  /** Vote counts. */
  votes: { A: number; B: number; none: number };
  /** Whether A and B got the same (non-zero) number of votes. */
  tie: boolean;
  /** Why there is no label: `vote-tie`, or the most frequent reason among the samples. */
  noAnswer: NoAnswerReason | undefined;
}

function mean(xs: number[]): number | undefined {
  return xs.length === 0 ? undefined : xs.reduce((s, x) => s + x, 0) / xs.length;
}

function mostFrequent(reasons: NoAnswerReason[]): NoAnswerReason | undefined {
  const counts = new Map<NoAnswerReason, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  let best: NoAnswerReason | undefined;
  for (const [r, c] of counts) if (best === undefined || c > counts.get(best)!) best = r;
  return best;
}

/** Majority vote over samples (see the file header for the tie rule). Throws on an empty list. */
export function majorityVote(samples: readonly Vote[]): VoteResult {
  if (samples.length === 0) throw new Error('majorityVote: no samples to vote over (k must be at least 1)');
  const a = samples.filter((s) => s.label === 'A');
  const b = samples.filter((s) => s.label === 'B');
  const votes = { A: a.length, B: b.length, none: samples.length - a.length - b.length };
  const probA = mean(samples.flatMap((s) => (s.probA === undefined ? [] : [s.probA])));
  const tie = votes.A === votes.B && votes.A > 0;
  let label: Label | undefined;
  let noAnswer: NoAnswerReason | undefined;
  if (votes.A + votes.B === 0) {
    noAnswer = mostFrequent(samples.flatMap((s) => (s.noAnswer ? [s.noAnswer] : []))) ?? 'no-answer-tag';
  } else if (!tie) {
    label = votes.A > votes.B ? 'A' : 'B';
  } else {
    const confA = mean(a.flatMap((s) => (s.probA === undefined ? [] : [s.probA])));
    const confB = mean(b.flatMap((s) => (s.probA === undefined ? [] : [1 - s.probA])));
    if (confA !== undefined && confB !== undefined && confA !== confB) label = confA > confB ? 'A' : 'B';
    else noAnswer = 'vote-tie';
  }
  const confidence = label === undefined || probA === undefined ? undefined : label === 'A' ? probA : 1 - probA;
  return { label, confidence, probA, votes, tie, noAnswer };
}
