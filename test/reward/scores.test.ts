// Label probabilities and the swap-averaged reward, checked against hand-computed values; the answer-position
// prefix for label tokens with and without leading whitespace.
import test from 'ava';
import { answerPrefix, checkLabelTokens, labelProbs, originalProbA, swapAveragedReward } from '../../core/reward/scores.js';

const close = (a: number, b: number, tol = 1e-12): boolean => Math.abs(a - b) <= tol;

test('labelProbs is the softmax over the two label logits only', (t) => {
  t.true(close(labelProbs({ A: 2, B: 0 }).A, 0.8807970779778823));
  t.true(close(labelProbs({ A: Math.log(3), B: 0 }).A, 0.75));
  t.true(close(labelProbs({ A: 10 + Math.log(3), B: 10 }).A, 0.75), 'shift invariant');
  t.is(labelProbs({ A: 0, B: 0 }).A, 0.5);
  const p = labelProbs({ A: -1, B: 0 });
  t.true(close(p.A, 0.2689414213699951));
  t.true(close(p.A + p.B, 1));
});

test('labelProbs is stable for huge logits and infinities; NaN is an error', (t) => {
  t.is(labelProbs({ A: 1000, B: 0 }).A, 1);
  t.is(labelProbs({ A: -1000, B: 1000 }).A, 0);
  t.is(labelProbs({ A: -Infinity, B: 0 }).A, 0);
  t.throws(() => labelProbs({ A: Number.NaN, B: 0 }), { message: /label logits must be numbers/ });
  t.throws(() => labelProbs({ A: Infinity, B: Infinity }), { message: /A=Infinity, B=Infinity/ });
});

test('swap-averaged reward r(a) = ½[P(A | a first) + P(B | a second)]', (t) => {
  t.true(close(swapAveragedReward(0.75, 0.6), 0.675));
  t.is(swapAveragedReward(1, 0), 0.5, 'a pure position bias gives ½');
  // originalProbA maps a swapped judgment's P(B) back to P(pair.a).
  t.is(originalProbA({ order: 'original', shownProbs: { A: 0.75, B: 0.25 } }), 0.75);
  t.is(originalProbA({ order: 'swapped', shownProbs: { A: 0.4, B: 0.6 } }), 0.6);
  t.is(originalProbA({ order: 'swapped', shownProbs: undefined }), undefined);
});

test('answerPrefix: prompt + output up to the label; leading whitespace goes to " A"-style tokens', (t) => {
  const raw = '<think>z</think>\n<answer> A </answer>';
  const i = raw.indexOf('A ');
  t.is(answerPrefix('P|', raw, i, { A: 'A', B: 'B' }), 'P|<think>z</think>\n<answer> ');
  t.is(answerPrefix('P|', raw, i, { A: ' A', B: ' B' }), 'P|<think>z</think>\n<answer>');
  const raw2 = '<answer>\nB</answer>';
  t.is(answerPrefix('', raw2, raw2.indexOf('B'), { A: ' A', B: ' B' }), '<answer>\n', 'no matching space: left as is');
});

test('checkLabelTokens rejects equal, blank or mismatched tokens', (t) => {
  t.notThrows(() => checkLabelTokens({ A: ' A', B: ' B' }));
  t.throws(() => checkLabelTokens({ A: 'A', B: 'A' }));
  t.throws(() => checkLabelTokens({ A: ' ', B: 'B' }));
  t.throws(() => checkLabelTokens({ A: ' A', B: 'B' }), { message: /same leading whitespace/ });
});
