// The rankers and evaluators plugins: each default export is one ContainerModule that binds every kind under
// its extension point (named by kind, singleton) with a strict options schema and a description.
import 'reflect-metadata';
import test from 'ava';
import { Container, ContainerModule } from 'inversify';
import { z } from 'zod';
import { KindContributionId, ServiceIds } from '../../core/di/identifiers.js';
import { bindKindLookup } from '../../core/di/kind-lookup.js';
import { contributeKind } from '../../core/di/kind-contribution.js';
import type { KindContribution } from '../../core/di/kind-contribution.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import type { Evaluator } from '../../core/reward/evaluator.js';
import type { Ranker } from '../../core/reward/ranker.js';
import evaluatorsModule from '../../plugins/evaluators/index.js';
import rankersModule from '../../plugins/rankers/index.js';
import { scriptedJudge } from './scripted-model.js';

test('rankers plugin: linear, knockout, full, sort resolve by name and rank', async (t) => {
  const c = new Container();
  await c.load(rankersModule);
  const contributions = c.getAll<KindContribution>(KindContributionId);
  t.deepEqual(contributions.map((k) => k.kind), ['linear', 'knockout', 'full', 'sort']);
  for (const k of contributions) {
    t.is(k.point, 'Ranker'); t.is(k.plugin, 'rankers'); t.true(k.description.length > 20);
    t.true(k.schema.safeParse({}).success); t.false(k.schema.safeParse({ extra: 1 }).success);
    const ranker = c.get<Ranker>(ServiceIds.Ranker, { name: k.kind });
    t.is(ranker.kind, k.kind);
    t.is(c.get(ServiceIds.Ranker, { name: k.kind }), ranker, 'singleton');
    const r = await ranker.rank('p', ['a', 'bb', 'ccc'], async (_p, pairs) => pairs.map((x) => (x.a.length > x.b.length ? 1 : 0)), defaultTaskContext());
    t.is(r.best, 2, k.kind);
  }
});

test('evaluators plugin: every kind resolves by name, has a strict schema with defaults, and evaluates', async (t) => {
  const c = new Container();
  bindKindLookup(c);
  await c.load(evaluatorsModule);
  const contributions = c.getAll<KindContribution>(KindContributionId);
  t.deepEqual(contributions.map((k) => k.kind), ['pairwise', 'rm-bench', 'judgebench', 'position-bias', 'best-of-n']);
  for (const k of contributions) {
    t.is(k.point, 'Evaluator'); t.is(k.plugin, 'evaluators');
    t.true(k.schema.safeParse({}).success, k.kind); t.false(k.schema.safeParse({ nope: true }).success, k.kind);
    t.is(c.get<Evaluator>(ServiceIds.Evaluator, { name: k.kind }).kind, k.kind);
  }
  const pairwise = c.get<Evaluator>(ServiceIds.Evaluator, { name: 'pairwise' });
  const r = await pairwise.evaluate([{ id: '1', prompt: 'p', a: 'x', b: 'y', label: 'B' }], scriptedJudge(() => ({ label: 'B', confidence: 1 })), { position: 'none' }, defaultTaskContext());
  t.is(r.metrics.accuracy, 1);
});

test('best-of-n resolves its ranker by kind through the container: a plugin\'s Ranker kind works, an unknown one names the valid kinds', async (t) => {
  const c = new Container();
  bindKindLookup(c);
  await c.load(evaluatorsModule, rankersModule, new ContainerModule((options) => {
    contributeKind(options, 'test-rankers', { point: 'Ranker', kind: 'last', description: 'picks the last candidate without comparing', schema: z.object({}).strict(),
      impl: () => ({ kind: 'last', rank: async (_p: string, cands: string[]) => ({ order: [cands.length - 1], best: cands.length - 1, complete: false, comparisons: 0, matches: [], rounds: 0 }) }) });
  }));
  const bestOfN = c.get<Evaluator>(ServiceIds.Evaluator, { name: 'best-of-n' });
  const sets = [
    { id: 's1', prompt: 'p1', source: 'hand', candidates: [{ text: 'a', correct: false }, { text: 'b', correct: true }] },
    { id: 's2', prompt: 'p2', source: 'hand', candidates: [{ text: 'c', correct: true }, { text: 'd', correct: false }, { text: 'e', correct: false }] },
  ];
  const never = scriptedJudge(() => { throw new Error('the last ranker compares nothing'); });
  const r = await bestOfN.evaluate(sets, never, { ranker: 'last', ns: [2, 3] }, defaultTaskContext());
  // n=2: s1 picks b (correct), s2 picks d (wrong) -> 1/2; n=3: only s2, picks e (wrong) -> 0.
  t.is(r.metrics['pick@2'], 0.5);
  t.is(r.metrics['pick@3'], 0);
  await t.throwsAsync(bestOfN.evaluate(sets, never, { ranker: 'bubble' }, defaultTaskContext()),
    { message: 'best-of-n evaluator: ranker: unknown Ranker kind "bubble"; valid kinds: full, knockout, last, linear, sort' });
});
