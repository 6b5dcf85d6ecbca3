// Rankers on a compare whose answers are known (P(a better) = sigmoid(quality(a) − quality(b))): winners,
// orders, comparison counts and batching (calls and their sizes), the p = ½ rule, bad compare results; plus the
// Judge -> Compare adapter with position handling and the call coalescer.
import test from 'ava';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { coalesceJudge } from '../../core/reward/coalesce-judge.js';
import { compareFromJudge } from '../../core/reward/judge-compare.js';
import type { Compare } from '../../core/reward/ranker.js';
import { createRanker, RANKER_KINDS } from '../../core/reward/rankers.js';
import { quality, scriptedJudge } from './scripted-model.js';

const ctx = defaultTaskContext(3);
const Q = [3, 1, 4, 1, 5, 9, 2, 6];
const cands = (qs: number[]): string[] => qs.map((q, i) => `cand ${i} q=${q}`);

function qualityCompare(): Compare & { calls: number[] } {
  const calls: number[] = [];
  const compare: Compare = async (_prompt, pairs) => {
    calls.push(pairs.length);
    return pairs.map((p) => 1 / (1 + Math.exp(quality(p.b) - quality(p.a))));
  };
  return Object.assign(compare, { calls });
}

test('linear: king of the hill, n−1 sequential comparisons, challenger shown as a', async (t) => {
  const c = qualityCompare();
  const r = await createRanker('linear').rank('p', cands(Q), c, ctx);
  t.is(r.best, 5); t.is(r.order[0], 5); t.false(r.complete);
  t.is(r.comparisons, 7); t.is(r.rounds, 7); t.deepEqual(c.calls, [1, 1, 1, 1, 1, 1, 1]);
  t.deepEqual(r.matches.map((m) => [m.a, m.b, m.winner]), [[1, 0, 0], [2, 0, 2], [3, 2, 2], [4, 2, 4], [5, 4, 5], [6, 5, 5], [7, 5, 5]]);
});

test('knockout: one compare call per round, n−1 comparisons, order by round eliminated', async (t) => {
  const c = qualityCompare();
  const r = await createRanker('knockout').rank('p', cands(Q), c, ctx);
  t.deepEqual(c.calls, [4, 2, 1]); t.is(r.rounds, 3); t.is(r.comparisons, 7);
  t.is(r.best, 5);
  t.deepEqual(r.order, [5, 2, 0, 7, 1, 3, 4, 6]);
});

test('knockout with an odd count: the last survivor gets a bye; ⌈log2 5⌉ = 3 rounds', async (t) => {
  const c = qualityCompare();
  const r = await createRanker('knockout').rank('p', cands([1, 2, 3, 4, 5]), c, ctx);
  t.deepEqual(c.calls, [2, 1, 1]); t.is(r.comparisons, 4); t.is(r.best, 4);
  t.deepEqual(r.matches.map((m) => [m.a, m.b]), [[0, 1], [2, 3], [1, 3], [3, 4]]);
});

test('full (round-robin): all pairs in one call, order by wins (equal candidates keep index order)', async (t) => {
  const c = qualityCompare();
  const r = await createRanker('full').rank('p', cands(Q), c, ctx);
  t.deepEqual(c.calls, [28]); t.is(r.comparisons, 28); t.true(r.complete);
  t.deepEqual(r.order, [5, 7, 4, 2, 0, 6, 1, 3]);
  const firsts = Q.map((_, i) => r.matches.filter((m) => m.a === i).length);
  t.true(firsts.every((f) => f === 3 || f === 4), `each candidate shown first in 3 or 4 of its 7 matches: ${firsts}`);
});

test('sort (merge sort): the same order with fewer comparisons, batched per merge step', async (t) => {
  const c = qualityCompare();
  const r = await createRanker('sort').rank('p', cands(Q), c, ctx);
  t.deepEqual(r.order, [5, 7, 4, 2, 0, 6, 1, 3]); t.true(r.complete);
  t.true(r.comparisons <= 8 * 3, `${r.comparisons} comparisons`); t.true(r.comparisons < 28);
  t.is(c.calls.length, r.rounds); t.is(c.calls[0], 4, 'the 4 first-level merges share a call');
});

test('p = ½ goes to the lower index; one candidate needs no comparison', async (t) => {
  const half: Compare = async (_p, pairs) => pairs.map(() => 0.5);
  for (const kind of RANKER_KINDS) {
    const r = await createRanker(kind).rank('p', ['x', 'y', 'z'], half, ctx);
    t.is(r.best, 0, kind);
    const one = await createRanker(kind).rank('p', ['only'], half, ctx);
    t.deepEqual([one.best, one.comparisons, one.rounds, one.order], [0, 0, 0, [0]], kind);
  }
  t.deepEqual((await createRanker('full').rank('p', ['x', 'y', 'z'], half, ctx)).order, [0, 1, 2]);
});

test('bad input: no candidates, wrong result count or a non-probability are clear errors; unknown kind lists kinds', async (t) => {
  const c = qualityCompare();
  await t.throwsAsync(createRanker('knockout').rank('p', [], c, ctx), { message: /no candidates to rank/ });
  await t.throwsAsync(createRanker('linear').rank('p', ['a', 'b'], async () => [], ctx), { message: 'compare returned 0 results for 1 pairs' });
  await t.throwsAsync(createRanker('full').rank('p', ['a', 'b'], async () => [1.5], ctx), { message: /candidates 1 vs 0\) must be a probability in \[0, 1\], got 1.5/ });
  t.throws(() => createRanker('bubble'), { message: 'unknown ranker kind "bubble"; valid kinds: linear, knockout, full, sort' });
});

test('compareFromJudge: a pure first-position judge gives ½ with both orders, its confidence with none', async (t) => {
  const judge = scriptedJudge(() => ({ label: 'A', confidence: 0.8 }));
  t.deepEqual(await compareFromJudge(judge, 'none')('p', [{ a: 'x', b: 'y' }], ctx), [0.8]);
  const both = await compareFromJudge(judge, 'both')('p', [{ a: 'x', b: 'y' }, { a: 'u', b: 'v' }], ctx);
  t.true(Math.abs(both[0]! - 0.5) < 1e-12 && Math.abs(both[1]! - 0.5) < 1e-12);
  t.deepEqual(judge.calls, [1, 4], 'both orders of both pairs in one judge call');
  const noConf = scriptedJudge((p) => ({ label: quality(p.a) > quality(p.b) ? 'A' : 'B' }));
  t.deepEqual(await compareFromJudge(noConf, 'both')('p', [{ a: 'q=2', b: 'q=1' }, { a: 'q=1', b: 'q=2' }], ctx), [1, 0]);
  const silent = scriptedJudge(() => ({ label: undefined, noAnswer: 'no-answer-tag' }));
  t.deepEqual(await compareFromJudge(silent, 'none')('p', [{ a: 'x', b: 'y' }], ctx), [0.5]);
});

test('coalesceJudge merges calls made together into batches of at most maxBatch', async (t) => {
  const inner = scriptedJudge((p) => ({ label: p.a < p.b ? 'A' : 'B' }));
  const judge = coalesceJudge(inner, 3);
  const [r1, r2] = await Promise.all([
    judge([{ prompt: '', a: 'a', b: 'b' }, { prompt: '', a: 'd', b: 'c' }], ctx),
    judge([{ prompt: '', a: 'e', b: 'f' }, { prompt: '', a: 'h', b: 'g' }], ctx),
  ]);
  t.deepEqual(inner.calls, [3, 1]);
  t.deepEqual(r1!.map((o) => o.label), ['A', 'B']);
  t.deepEqual(r2!.map((o) => o.label), ['A', 'B']);
  const failing = coalesceJudge(async () => { throw new Error('model down'); }, 8);
  await t.throwsAsync(failing([{ prompt: '', a: '', b: '' }], ctx), { message: 'model down' });
});
