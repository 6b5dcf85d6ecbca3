// Scalar scores from label-token logits (METHOD.md, "Scalar reward / confidence"): softmax over the A and B
// logits only, the swap-averaged reward r(a) = ½[P(A | a first) + P(B | a second)], and the text prefix at
// which the label logits are read. Pure math; relies on judge-model.ts types only.
import type { LabelLogits, LabelTokens } from './judge-model.js';
import type { Judgment, LabelProbs } from './judgment.js';

/** Softmax over the two label logits: P(A) = 1 / (1 + exp(B − A)). Throws on NaN or undecidable infinities. */
export function labelProbs(logits: LabelLogits): LabelProbs {
  const d = logits.B - logits.A;
  if (Number.isNaN(d)) {
    throw new Error(`labelProbs: label logits must be numbers with a finite difference, got A=${logits.A}, B=${logits.B}`);
  }
  const pA = 1 / (1 + Math.exp(d));
  return { A: pA, B: 1 - pA };
}

/** r(a) = ½[P(A | a shown first) + P(B | a shown second)]: the swap-averaged probability that `a` is better. */
export function swapAveragedReward(pAWhenFirst: number, pBWhenSecond: number): number {
  return 0.5 * (pAWhenFirst + pBWhenSecond);
}

/** P(pair.a preferred) from one judgment's shown-order probabilities; undefined when it has none. */
export function originalProbA(j: Pick<Judgment, 'order' | 'shownProbs'>): number | undefined {
  if (!j.shownProbs) return undefined;
  return j.order === 'original' ? j.shownProbs.A : j.shownProbs.B;
}

/**
 * The text after which the label token is read: `prompt` + the output up to the label character. When the label
 * tokens carry leading whitespace (" A"/" B") and the output has that same whitespace right before the label,
 * the whitespace is left to the token (so "<answer> A" is read as "<answer>" + " A").
 */
export function answerPrefix(prompt: string, raw: string, labelIndex: number, tokens: LabelTokens): string {
  let before = raw.slice(0, labelIndex);
  const lead = /^\s*/.exec(tokens.A)![0];
  if (lead !== '' && before.endsWith(lead)) before = before.slice(0, before.length - lead.length);
  return prompt + before;
}

/** Check label tokens: two different non-empty strings with the same leading whitespace. */
export function checkLabelTokens(tokens: LabelTokens): void {
  const leadA = /^\s*/.exec(tokens.A)![0];
  const leadB = /^\s*/.exec(tokens.B)![0];
  if (tokens.A.trim() === '' || tokens.B.trim() === '' || tokens.A === tokens.B || leadA !== leadB) {
    throw new Error(`label tokens must be two different non-blank strings with the same leading whitespace (e.g. "A"/"B" or " A"/" B"), got ${JSON.stringify(tokens)}`);
  }
}
