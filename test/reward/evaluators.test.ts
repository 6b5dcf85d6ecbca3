// The pair evaluators (pairwise, rm-bench, judgebench, position-bias) on scripted judges whose answers are
// known, against hand-computed numbers; wrong-shape records and options give errors naming record and field.
import test from 'ava';
import type { PreferencePair } from '../../core/data/records.js';
import { ConfigError, WorkError } from '../../core/errors.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { JudgeBenchEvaluator } from '../../plugins/evaluators/judgebench-evaluator.js';
import { PairwiseEvaluator } from '../../plugins/evaluators/pairwise-evaluator.js';
import { PositionBiasEvaluator } from '../../plugins/evaluators/position-bias-evaluator.js';
import { RmBenchEvaluator } from '../../plugins/evaluators/rm-bench-evaluator.js';
import { quality, scriptedJudge } from './scripted-model.js';

const ctx = defaultTaskContext(5);
const close = (a: number | undefined, b: number): boolean => a !== undefined && Math.abs(a - b) < 1e-12;
const alwaysA = scriptedJudge(() => ({ label: 'A', confidence: 0.9 }));
/** Picks the higher "q=" quality with confidence 0.7; no answer when a response says "silent". */
const byQuality = scriptedJudge((p) => (p.a.includes('silent') || p.b.includes('silent')
  ? { label: undefined, noAnswer: 'no-answer-tag' }
  : { label: quality(p.a) > quality(p.b) ? 'A' : 'B', confidence: 0.7 }));

function pair(id: string, a: string, b: string, label: PreferencePair['label'], meta: Record<string, unknown> = {}): PreferencePair {
  return { id, prompt: `prompt ${id}`, a, b, ...(label !== undefined ? { label } : {}), meta };
}

test('pairwise, both orders, a pure first-position judge: 50% over orders, 0 consistent, every pair flips', async (t) => {
  const records = [pair('1', 'x', 'y', 'A'), pair('2', 'x', 'y', 'A'), pair('3', 'x', 'y', 'B'), pair('4', 'x', 'y', 'B')];
  const r = await new PairwiseEvaluator().evaluate(records, alwaysA, {}, ctx);
  t.is(r.metrics.accuracy, 0.5);
  t.is(r.metrics.consistentCorrect, 0);
  t.is(r.metrics.pairAccuracy, 0, 'combined: swap-averaged P(A) = ½ -> no answer');
  t.is(r.metrics.flipRate, 1); t.is(r.metrics.firstBothRate, 1); t.is(r.metrics.secondBothRate, 0);
  t.is(r.metrics.firstPositionRate, 1); t.is(r.metrics.noAnswerRate, 0);
  t.is(r.counts.judged, 8); t.is(r.counts.bothAnswered, 4);
  t.true(r.markdown.includes('| all | 4 | 50.0% | 0.0% | 0.0% | 0.0% | 100.0% | 100.0% |'), r.markdown);
  t.deepEqual(r.tables[0]!.columns, ['set', 'pairs', 'accuracy', 'pairAccuracy', 'consistentCorrect', 'noAnswerRate', 'flipRate', 'firstPositionRate']);
});

test('pairwise, one order: no-answers count as wrong, ties skipped, groupBy breaks it down', async (t) => {
  const records = [
    pair('p1', 'q=2', 'q=1', 'A', { subset: 'x' }), pair('p2', 'q=0', 'q=3', 'B', { subset: 'x' }),
    pair('p3', 'q=5', 'q=4', 'B', { subset: 'y' }), pair('p4', 'silent', 'q=1', 'A', { subset: 'y' }),
    pair('p5', 'q=1', 'q=1', 'tie'),
  ];
  const r = await new PairwiseEvaluator().evaluate(records, byQuality, { position: 'none', groupBy: 'meta.subset' }, ctx);
  t.is(r.metrics.accuracy, 0.5);
  t.true(close(r.metrics.answeredAccuracy, 2 / 3));
  t.is(r.metrics.noAnswerRate, 0.25);
  t.true(close(r.metrics.firstPositionRate, 2 / 3));
  t.is(r.metrics['x.accuracy'], 1); t.is(r.metrics['y.accuracy'], 0);
  t.false('flipRate' in r.metrics, 'no flip rate without both orders');
  t.is(r.counts.skippedTies, 1); t.is(r.counts.noAnswer, 1);
  t.true(r.notes.some((n) => n.includes('1 pair(s) labeled "tie" were skipped')));
  t.deepEqual(r.tables[1]!.rows.map((row) => row['meta.subset']), ['x', 'y']);
});

test('pairwise: per-pair outcomes name each pair with per-order correctness and the combined verdict', async (t) => {
  const records = [pair('p1', 'q=2', 'q=1', 'A'), pair('p2', 'silent', 'q=3', 'B'), pair('p3', 'q=5', 'q=4', 'B')];
  const r = await new PairwiseEvaluator().evaluate(records, byQuality, { position: 'both' }, ctx);
  t.deepEqual(r.pairs!.map((p) => [p.id, p.gold, p.orders.map((o) => [o.order, o.label, o.correct]), p.pairCorrect]), [
    ['p1', 'A', [['original', 'A', true], ['swapped', 'A', true]], true],
    ['p2', 'B', [['original', undefined, false], ['swapped', undefined, false]], false],
    ['p3', 'B', [['original', 'A', false], ['swapped', 'A', false]], false],
  ]);
  t.regex(r.pairs![0]!.key, /^sha256:[0-9a-f]{16}$/);
  // The per-pair outcomes reproduce the headline: 2 of 6 orders correct, 1 of 3 pairs.
  const orders = r.pairs!.flatMap((p) => p.orders);
  t.true(close(orders.filter((o) => o.correct).length / orders.length, r.metrics.accuracy!));
  t.true(close(r.pairs!.filter((p) => p.pairCorrect).length / 3, r.metrics.pairAccuracy!));
});

test('pairwise: wrong-shape records and bad options are errors naming the record id and field', async (t) => {
  const ev = new PairwiseEvaluator();
  const bad = [pair('ok', 'a', 'b', 'A'), { id: 'r9', prompt: 'p', a: 'x', b: 3, label: 'A' }];
  await t.throwsAsync(ev.evaluate(bad as never, alwaysA, {}, ctx), {
    instanceOf: WorkError, message: 'pairwise evaluator: record "r9" (index 1): field "b" must be a string (empty is allowed), got number',
  });
  await t.throwsAsync(ev.evaluate([pair('nolabel', 'a', 'b', undefined)], alwaysA, {}, ctx), { message: /record "nolabel" \(index 0\): field "label" must be "A" or "B".*got nothing \(field missing\)/ });
  await t.throwsAsync(ev.evaluate([{ prompt: 'p' }] as never, alwaysA, {}, ctx), { message: /record at index 0: field "id" must be a string/ });
  await t.throwsAsync(ev.evaluate([], alwaysA, { position: 'sideways' }, ctx), { instanceOf: ConfigError, message: /pairwise evaluator options are invalid/ });
  await t.throwsAsync(ev.evaluate([], alwaysA, { postion: 'none' }, ctx), { instanceOf: ConfigError, message: /postion/ });
  const empty = await ev.evaluate([pair('e', '', '', 'A')], alwaysA, { position: 'none' }, ctx);
  t.is(empty.metrics.accuracy, 1, 'empty responses are judged as they are');
});

test('rm-bench: per domain and difficulty, safety pooled, overall = mean of the domains present (hand-computed)', async (t) => {
  const rec = (id: string, domain: string, difficulty: string, correct: boolean, withCategory = true): PreferencePair =>
    pair(id, correct ? 'q=2' : 'q=1', correct ? 'q=1' : 'q=2', 'A',
      { domain, ...(withCategory ? { category: domain.startsWith('safety') ? 'safety' : domain } : {}), difficulty });
  const records = [
    rec('c1', 'chat', 'easy', true), rec('c2', 'chat', 'normal', true), rec('c3', 'chat', 'hard', false),
    rec('s1', 'safety-refuse', 'hard', true), rec('s2', 'safety-refuse', 'easy', false),
    rec('s3', 'safety-response', 'hard', true), rec('s4', 'safety-response', 'normal', true, false),
  ];
  const r = await new RmBenchEvaluator().evaluate(records, byQuality, { position: 'none' }, ctx);
  t.true(close(r.metrics.chat, 2 / 3)); t.is(r.metrics['chat.hard'], 0); t.is(r.metrics['chat.easy'], 1);
  t.is(r.metrics.safety, 0.75); t.is(r.metrics['safety.hard'], 1); t.is(r.metrics['safety.easy'], 0); t.is(r.metrics['safety.normal'], 1);
  t.true(close(r.metrics.overall, (2 / 3 + 3 / 4) / 2));
  t.is(r.metrics.easy, 0.5); t.is(r.metrics.normal, 1); t.is(r.metrics.hard, 0.5);
  t.false('math' in r.metrics); t.is(r.counts['pairs.safety'], 4);
  t.regex(r.notes[0]!, /Domains in the data: chat, safety; absent: math, code\. overall .* mean over the 2 domain\(s\)/);
  t.deepEqual(r.tables[0]!.rows.map((row) => row.domain), ['chat', 'safety', 'overall']);
  const badDiff = [{ ...records[0]!, meta: { category: 'chat', difficulty: 'medium' } }];
  await t.throwsAsync(new RmBenchEvaluator().evaluate(badDiff, byQuality, {}, ctx),
    { message: 'rm-bench evaluator: record "c1" (index 0): field "meta.difficulty" must be one of easy, normal, hard, got "medium"' });
  await t.throwsAsync(new RmBenchEvaluator().evaluate([pair('z', 'a', 'b', 'A')], byQuality, {}, ctx), { message: /record "z" \(index 0\): field "meta.category"/ });
});

test('judgebench: per category, overall = mean of categories present; both orders add per-pair numbers', async (t) => {
  const rec = (id: string, category: string, correct: boolean): PreferencePair =>
    pair(id, correct ? 'q=2' : 'q=1', correct ? 'q=1' : 'q=2', 'A', { category });
  const records = [rec('k1', 'knowledge', true), rec('k2', 'knowledge', false), rec('r1', 'reasoning', true), rec('m1', 'math', false)];
  const r = await new JudgeBenchEvaluator().evaluate(records, byQuality, { position: 'none' }, ctx);
  t.is(r.metrics.knowledge, 0.5); t.is(r.metrics.reasoning, 1); t.is(r.metrics.math, 0);
  t.is(r.metrics.overall, 0.5); t.false('coding' in r.metrics);
  t.regex(r.notes[0]!, /absent: coding/);
  const both = await new JudgeBenchEvaluator().evaluate(records, byQuality, {}, ctx);
  t.is(both.metrics.overall, 0.5); t.is(both.metrics['overall.consistentCorrect'], 0.5); t.is(both.metrics.flipRate, 0);
  await t.throwsAsync(new JudgeBenchEvaluator().evaluate([rec('x', 'history', true)], byQuality, {}, ctx),
    { message: 'judgebench evaluator: record "x" (index 0): field "meta.category" must be one of knowledge, reasoning, math, coding, got "history"' });
});

test('position-bias: flips, first-position rate and no-answers on unlabeled pairs (hand-computed)', async (t) => {
  const judge = scriptedJudge((p) => {
    if (p.a.includes('silent')) return { label: undefined };
    if (p.a.includes('biased') || p.b.includes('biased')) return { label: 'A', confidence: 0.6 };
    return { label: quality(p.a) > quality(p.b) ? 'A' : 'B', confidence: 0.8 };
  });
  const records = [pair('1', 'q=2', 'q=1', undefined), pair('2', 'biased q=1', 'q=2', undefined), pair('3', 'silent', 'silent', undefined)];
  const r = await new PositionBiasEvaluator().evaluate(records, judge, {}, ctx);
  t.is(r.metrics.flipRate, 0.5); t.is(r.metrics.firstBothRate, 0.5); t.is(r.metrics.secondBothRate, 0);
  t.is(r.metrics.firstPositionRate, 0.75); t.true(close(r.metrics.noAnswerRate, 1 / 3));
  t.false('accuracy' in r.metrics, 'no labels, no accuracy');
  t.deepEqual(judge.calls, [6]);
});
