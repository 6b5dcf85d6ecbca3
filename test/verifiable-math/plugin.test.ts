// The plugin as a whole: the ContainerModule binds `verifiable-math` under ServiceIds.DataSource with a strict
// schema contribution, the kind resolves and reads through an inversify Container, options are validated with
// readable errors, and the fingerprint follows the generator version and the options.
import 'reflect-metadata';
import test from 'ava';
import { Container } from 'inversify';
import { newReadStats, type DataSource } from '../../core/data/data-source.js';
import type { DataRecord } from '../../core/data/records.js';
import { KindContributionId, ServiceIds } from '../../core/di/identifiers.js';
import type { KindContribution } from '../../core/di/kind-contribution.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import verifiableMathModule, { VerifiableMathSource, type VerifiableMathInput } from '../../plugins/verifiable-math/index.js';
import { gen } from './helpers.js';

async function read(source: DataSource<VerifiableMathInput, DataRecord>, options: VerifiableMathInput): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const r of source.read(options, '/nowhere', defaultTaskContext())) out.push(r);
  return out;
}

test('the kind resolves through an inversify Container and reads the generated records', async (t) => {
  const container = new Container();
  container.load(verifiableMathModule);
  const source = container.get<DataSource<VerifiableMathInput, DataRecord>>(ServiceIds.DataSource, { name: 'verifiable-math' });
  t.true(source instanceof VerifiableMathSource);
  t.is(source.kind, 'verifiable-math');
  t.is(container.get(ServiceIds.DataSource, { name: 'verifiable-math' }), source, 'singleton');
  t.deepEqual(await read(source, { split: 'test' }), gen({ split: 'test' }));
  const stats = newReadStats();
  const limited: DataRecord[] = [];
  for await (const r of source.read({ split: 'test', limit: 7 }, '.', defaultTaskContext(), stats)) limited.push(r);
  t.deepEqual(limited, gen({ split: 'test' }).slice(0, 7));
  t.deepEqual(stats, { read: 7, skipped: 0, skipReasons: [] });
  const [contribution] = container.getAll<KindContribution>(KindContributionId);
  t.like(contribution, { point: 'DataSource', kind: 'verifiable-math', plugin: 'verifiable-math' });
  t.false(contribution!.schema.safeParse({ split: 'seed', unknownKey: 1 }).success);
  t.true(contribution!.schema.safeParse({ split: 'seed' }).success);
});

test('reading stops when the signal aborts', async (t) => {
  const ac = new AbortController();
  const ctx = { ...defaultTaskContext(), signal: ac.signal };
  let n = 0;
  await t.throwsAsync(async () => {
    for await (const _ of new VerifiableMathSource().read({ split: 'labeled' }, '.', ctx)) if (++n === 5) ac.abort(new Error('stop'));
  }, { message: 'stop' });
  t.is(n, 5);
});

test('options are validated with errors that name the option and what is valid', (t) => {
  const src = new VerifiableMathSource();
  const parsed = src.parseOptions({ split: 'seed' });
  t.deepEqual(parsed, {
    split: 'seed', seed: 0, difficulty: { maxOperand: 99, maxFactor: 12, minSteps: 1, maxSteps: 3 },
    errorTypes: ['slipped-digit', 'wrong-operation', 'skipped-step', 'carry-error', 'broken-work'],
    candidatesPerSet: 16, maxPairBytes: 160, maxRationaleBytes: 100,
  });
  const err = (o: unknown, re: RegExp): void => {
    t.throws(() => src.parseOptions(o as VerifiableMathInput), { message: re });
  };
  err({}, /invalid options for data source "verifiable-math":\n {2}split: /);
  err({ split: 'train' }, /split: .*"seed"/);
  err({ split: 'seed', extra: 1 }, /extra/);
  err({ split: 'seed', difficulty: { minSteps: 3, maxSteps: 2 } }, /difficulty\.minSteps: minSteps \(3\) must not exceed maxSteps \(2\)/);
  err({ split: 'seed', difficulty: { maxSteps: 1 } }, /errorTypes: skipped-step, broken-work need problems of 2\+ steps/);
  err({ split: 'seed', errorTypes: ['carry-error', 'carry-error'] }, /errorTypes: lists "carry-error" twice/);
  err({ split: 'seed', errorTypes: ['typo'] }, /errorTypes\.0/);
  err({ split: 'seed', difficulty: { depth: 2 } }, /depth/);
});

test('fingerprint: a sha256 of version + options, stable, defaults spelled out change nothing', async (t) => {
  const src = new VerifiableMathSource();
  const fp = await src.fingerprint({ split: 'labeled' });
  t.regex(fp, /^[0-9a-f]{64}$/);
  t.is(await src.fingerprint({ split: 'labeled' }), fp);
  t.is(await src.fingerprint({ split: 'labeled', seed: 0, difficulty: { maxOperand: 99 } }), fp);
  const others = await Promise.all([
    src.fingerprint({ split: 'test' }), src.fingerprint({ split: 'labeled', seed: 1 }), src.fingerprint({ split: 'labeled', count: 10 }),
    src.fingerprint({ split: 'labeled', difficulty: { maxFactor: 9 } }), src.fingerprint({ split: 'labeled', errorTypes: ['carry-error'] }),
    src.fingerprint({ split: 'labeled', limit: 5 }),
  ]);
  t.is(new Set([fp, ...others]).size, 7);
});
