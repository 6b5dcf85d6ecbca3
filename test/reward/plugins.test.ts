// The rankers and evaluators plugins: each default export is one ContainerModule that binds every kind under
// its extension point (named by kind, singleton) with a strict options schema and a description.
import 'reflect-metadata';
import test from 'ava';
import { Container } from 'inversify';
import { KindContributionId, ServiceIds } from '../../core/di/identifiers.js';
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
