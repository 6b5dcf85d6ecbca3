// The plugin as a whole: the ContainerModule binds every kind under ServiceIds.DataSource (named by kind) with
// its contribution, resolved through an inversify Container; and fingerprints follow file contents and options.
import 'reflect-metadata';
import test from 'ava';
import { copyFileSync, mkdtempSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Container } from 'inversify';
import type { DataSource } from '../../core/data/data-source.js';
import type { PreferencePair } from '../../core/data/records.js';
import { KindContributionId, ServiceIds } from '../../core/di/identifiers.js';
import type { KindContribution } from '../../core/di/kind-contribution.js';
import dataSourcesModule, { BENCHMARK_KINDS, JsonlSource, RmBenchSource, dataSourceKinds } from '../../plugins/data-sources/index.js';
import { fixturePath } from '../test-data.js';
import { FIXTURES, ROOT, collect } from './helpers.js';

const KINDS = ['jsonl', 'jsonl-gz', 'json', 'rm-bench', 'judgebench', 'llmbar', 'hh-rlhf', 'pandalm', 'gsm8k', 'math500', 'qwen-math-candidates'];

function loaded(): Container {
  const container = new Container();
  container.load(dataSourcesModule);
  return container;
}

test('the module binds every kind; a kind resolves by name and reads', async (t) => {
  const container = loaded();
  for (const kind of KINDS) {
    const source = container.get<DataSource>(ServiceIds.DataSource, { name: kind });
    t.is(source.kind, kind);
  }
  const jsonl = container.get<DataSource<{ path: string }, PreferencePair>>(ServiceIds.DataSource, { name: 'jsonl' });
  t.true(jsonl instanceof JsonlSource);
  t.is(container.get(ServiceIds.DataSource, { name: 'jsonl' }), jsonl, 'singleton per kind');
  const { records } = await collect(jsonl, { path: `${FIXTURES}/pairs.jsonl` });
  t.is(records.length, 4);
  t.throws(() => container.get(ServiceIds.DataSource, { name: 'parquet' }));
});

test('the module contributes one KindContribution per kind, with strict schemas and descriptions', (t) => {
  const contributions = loaded().getAll<KindContribution>(KindContributionId);
  t.deepEqual(contributions.map((c) => c.kind).sort(), [...KINDS].sort());
  for (const c of contributions) {
    t.is(c.plugin, 'data-sources');
    t.is(c.point, 'DataSource');
    t.true(c.description.length > 10);
    t.false(c.schema.safeParse({ path: 'x', unknownKey: true }).success, c.kind);
  }
  t.is(dataSourceKinds.length, KINDS.length);
  for (const kind of BENCHMARK_KINDS) t.true(KINDS.includes(kind), kind);
});

test('fingerprint: stable, follows file contents and options, independent of where the folder is', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gramr-ds-fp-'));
  const other = mkdtempSync(path.join(tmpdir(), 'gramr-ds-fp2-'));
  copyFileSync(path.join(ROOT, FIXTURES, 'pairs.jsonl'), path.join(dir, 'pairs.jsonl'));
  copyFileSync(path.join(ROOT, FIXTURES, 'pairs.jsonl'), path.join(other, 'pairs.jsonl'));
  const src = new JsonlSource();
  const fp1 = await src.fingerprint({ path: 'pairs.jsonl' }, dir);
  t.regex(fp1, /^[0-9a-f]{64}$/);
  t.is(await src.fingerprint({ path: 'pairs.jsonl' }, dir), fp1);
  t.is(await src.fingerprint({ path: 'pairs.jsonl', onError: 'fail' }, dir), fp1, 'defaults spelled out change nothing');
  t.is(await src.fingerprint({ path: 'pairs.jsonl' }, other), fp1, 'same bytes elsewhere, same fingerprint');
  t.not(await src.fingerprint({ path: 'pairs.jsonl', limit: 2 }, dir), fp1);
  t.not(await src.fingerprint({ path: 'pairs.jsonl', order: 'chosen-first' }, dir), fp1);
  appendFileSync(path.join(dir, 'pairs.jsonl'), '{"id": "p5", "prompt": "q", "chosen": "x", "rejected": "y"}\n');
  t.not(await src.fingerprint({ path: 'pairs.jsonl' }, dir), fp1);
});

test('fingerprint of a multi-file set covers only the files read', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gramr-ds-fp3-'));
  mkdirSync(path.join(dir, 'rmb'));
  const rec = { id: 1, subset: 's', prompt: 'p', chosen: ['a', 'b', 'c'], rejected: ['d', 'e', 'f'] };
  writeFileSync(path.join(dir, 'rmb/chat_filtered.json'), JSON.stringify([rec]));
  writeFileSync(path.join(dir, 'rmb/code_filtered.json'), JSON.stringify([{ ...rec, id: 2 }]));
  const src = new RmBenchSource();
  const all = await src.fingerprint({ path: 'rmb' }, dir);
  const chat = await src.fingerprint({ path: 'rmb', domains: ['chat'] }, dir);
  t.not(all, chat);
  writeFileSync(path.join(dir, 'rmb/code_filtered.json'), JSON.stringify([{ ...rec, id: 3 }]));
  t.is(await src.fingerprint({ path: 'rmb', domains: ['chat'] }, dir), chat);
  t.not(await src.fingerprint({ path: 'rmb' }, dir), all);
  const real = await src.fingerprint({ path: fixturePath('rm-bench') }, ROOT);
  t.regex(real, /^[0-9a-f]{64}$/);
  t.not(real, await src.fingerprint({ path: fixturePath('rm-bench'), domains: ['chat', 'code', 'safety-refuse'] }, ROOT));
});
