// Position handling (orders, seeded random swap, mapping back, combining two orders) and voting@k (majority,
// the tie rule, no-answers), with hand-computed numbers.
import test from 'ava';
import { combineOrders, ordersFor, showPair, toOriginal } from '../../core/reward/position.js';
import { deriveSeed, seededCoin } from '../../core/reward/seeds.js';
import { majorityVote } from '../../core/reward/voting.js';

const close = (a: number | undefined, b: number): boolean => a !== undefined && Math.abs(a - b) < 1e-12;

test('ordersFor: none / both / random (seeded per pair id, deterministic, about balanced)', (t) => {
  t.deepEqual(ordersFor('none', 'p1', 0), ['original']);
  t.deepEqual(ordersFor('both', 'p1', 0), ['original', 'swapped']);
  const ids = Array.from({ length: 1000 }, (_, i) => `pair-${i}`);
  const run = (seed: number): string[] => ids.map((id) => ordersFor('random', id, seed)[0]!);
  const a = run(7);
  t.deepEqual(run(7), a, 'same seed, same orders');
  const swaps = a.filter((o) => o === 'swapped').length;
  t.true(Math.abs(swaps - 500) <= 3 * Math.sqrt(1000) / 2, `swapped ${swaps} of 1000`);
  const b = run(8);
  t.true(a.some((o, i) => o !== b[i]), 'another seed gives other orders');
  t.is(seededCoin(7, 'position:pair-3'), a[3] === 'swapped');
});

test('showPair and toOriginal map a swapped answer back to the original responses', (t) => {
  t.deepEqual(showPair({ a: 'x', b: 'y' }, 'swapped'), { first: 'y', second: 'x' });
  t.is(toOriginal('A', 'swapped'), 'B');
  t.is(toOriginal('B', 'swapped'), 'A');
  t.is(toOriginal('B', 'original'), 'B');
  t.is(toOriginal(undefined, 'swapped'), undefined);
});

test('deriveSeed depends on every part and is a uint32', (t) => {
  const s = deriveSeed(1, 'p', 'original', 0);
  t.true(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
  t.is(deriveSeed(1, 'p', 'original', 0), s);
  t.not(deriveSeed(1, 'p', 'original', 1), s);
  t.not(deriveSeed(2, 'p', 'original', 0), s);
});

test('combineOrders: agreement, disagreement settled by swap-averaged P(A), unresolved, one order', (t) => {
  const agree = combineOrders([{ order: 'original', label: 'A', probA: 0.8, noAnswer: undefined }, { order: 'swapped', label: 'A', probA: 0.6, noAnswer: undefined }]);
  t.is(agree.label, 'A'); t.true(close(agree.probA, 0.7)); t.true(close(agree.confidence, 0.7)); t.false(agree.ordersDisagree);
  const settled = combineOrders([{ order: 'original', label: 'A', probA: 0.55, noAnswer: undefined }, { order: 'swapped', label: 'B', probA: 0.35, noAnswer: undefined }]);
  t.is(settled.label, 'B'); t.true(close(settled.probA, 0.45)); t.true(close(settled.confidence, 0.55)); t.true(settled.ordersDisagree);
  const even = combineOrders([{ order: 'original', label: 'A', probA: 0.7, noAnswer: undefined }, { order: 'swapped', label: 'B', probA: 0.3, noAnswer: undefined }]);
  t.is(even.label, undefined); t.is(even.noAnswer, 'orders-disagree');
  const noProbs = combineOrders([{ order: 'original', label: 'A', probA: undefined, noAnswer: undefined }, { order: 'swapped', label: 'B', probA: undefined, noAnswer: undefined }]);
  t.is(noProbs.noAnswer, 'orders-disagree'); t.is(noProbs.confidence, undefined);
  const one = combineOrders([{ order: 'original', label: 'B', probA: 0.2, noAnswer: undefined }, { order: 'swapped', label: undefined, probA: undefined, noAnswer: 'not-a-label' }]);
  t.is(one.label, 'B'); t.is(one.ordersDisagree, undefined); t.true(close(one.confidence, 0.8));
  const none = combineOrders([{ order: 'original', label: undefined, probA: undefined, noAnswer: 'conflicting-answers' }]);
  t.is(none.noAnswer, 'conflicting-answers');
});

test('majorityVote: majority, confidence = mean P(winner) over all scored samples', (t) => {
  const v = majorityVote([{ label: 'A', probA: 0.9 }, { label: 'A', probA: 0.8 }, { label: 'B', probA: 0.3 }]);
  t.is(v.label, 'A'); t.deepEqual(v.votes, { A: 2, B: 1, none: 0 }); t.false(v.tie);
  t.true(close(v.probA, 2 / 3)); t.true(close(v.confidence, 2 / 3));
  const w = majorityVote([{ label: 'B', probA: undefined }, { label: undefined, probA: undefined, noAnswer: 'no-answer-tag' }, { label: 'A', probA: undefined }, { label: 'B', probA: undefined }]);
  t.is(w.label, 'B'); t.deepEqual(w.votes, { A: 1, B: 2, none: 1 }); t.is(w.confidence, undefined);
});

test('majorityVote tie rule: higher mean confidence of each side\'s voters wins, else no answer', (t) => {
  const broken = majorityVote([{ label: 'A', probA: 0.6 }, { label: 'B', probA: 0.1 }]);
  t.true(broken.tie); t.is(broken.label, 'B'); t.true(close(broken.probA, 0.35)); t.true(close(broken.confidence, 0.65));
  const open = majorityVote([{ label: 'A', probA: undefined }, { label: 'B', probA: undefined }]);
  t.true(open.tie); t.is(open.label, undefined); t.is(open.noAnswer, 'vote-tie');
  const equal = majorityVote([{ label: 'A', probA: 0.7 }, { label: 'B', probA: 0.3 }]);
  t.is(equal.noAnswer, 'vote-tie', 'equal confidence (0.7 vs 0.7) stays a tie');
});

test('majorityVote: all no-answers give the most frequent reason; empty input is an error', (t) => {
  const v = majorityVote([{ label: undefined, probA: undefined, noAnswer: 'not-a-label' }, { label: undefined, probA: undefined, noAnswer: 'no-answer-tag' }, { label: undefined, probA: undefined, noAnswer: 'not-a-label' }]);
  t.is(v.label, undefined); t.is(v.noAnswer, 'not-a-label'); t.false(v.tie); t.deepEqual(v.votes, { A: 0, B: 0, none: 3 });
  t.throws(() => majorityVote([]), { message: /no samples/ });
});
