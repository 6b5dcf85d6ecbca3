// The generic jsonl / jsonl-gz / json kinds on small fixtures: column maps, a/b labels, conversations
// (HH strings, role/content and from/value lists), arrays under a key, gzip, order and limit.
import 'reflect-metadata';
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { JsonSource, JsonlGzSource, JsonlSource } from '../../plugins/data-sources/generic-sources.js';
import { hashedChosenFirst } from '../../plugins/data-sources/pair-order.js';
import { FIXTURES, ROOT, collect, looksBalanced, rawJsonl } from './helpers.js';

const fx = (name: string): string => `${FIXTURES}/${name}`;

test('jsonl chosen/rejected: hashed order puts chosen where the label points, ids and meta kept', async (t) => {
  const { records, stats } = await collect(new JsonlSource(), { path: fx('pairs.jsonl'), metaFields: ['topic'] });
  const raw = rawJsonl(path.join(ROOT, fx('pairs.jsonl')));
  t.is(records.length, raw.length);
  t.deepEqual(stats, { read: 4, skipped: 0, skipReasons: [] });
  t.deepEqual(records.map((r) => r.id), ['p1', 'p2', 'p3', '4']);
  records.forEach((r, i) => {
    const chosenFirst = hashedChosenFirst(r.id);
    t.is(r.label, chosenFirst ? 'A' : 'B');
    t.is(r.label === 'A' ? r.a : r.b, raw[i]!.chosen as string);
    t.is(r.label === 'A' ? r.b : r.a, raw[i]!.rejected as string);
    t.is(r.prompt, raw[i]!.prompt as string);
    t.is(r.source, 'pairs');
  });
  t.deepEqual(records[1]!.meta, { topic: 'art' });
  t.is(records[0]!.meta, undefined);
});

test('order chosen-first puts every chosen response in A', async (t) => {
  const { records } = await collect(new JsonlSource(), { path: fx('pairs.jsonl'), order: 'chosen-first' });
  t.deepEqual(records.map((r) => [r.a, r.label]), [['4', 'A'], ['Red', 'A'], ['Paris', 'A'], ['Cold', 'A']]);
});

test('the hash rule is about balanced over many ids', (t) => {
  const n = 4000;
  let first = 0;
  for (let i = 0; i < n; i++) if (hashedChosenFirst(`pair-${i}`)) first++;
  t.true(looksBalanced(first, n), `${first} of ${n}`);
  t.is(hashedChosenFirst('pair-1'), hashedChosenFirst('pair-1'));
});

test('jsonl a/b records: labels 1/2, A/B, A>B-style and tie; a record without label is unlabeled', async (t) => {
  const { records } = await collect(new JsonlSource(), { path: fx('ab.jsonl') });
  t.deepEqual(records.map((r) => r.label), ['A', 'B', 'tie', 'B', undefined]);
  t.deepEqual(records.map((r) => r.id), ['ab:1', 'ab:2', 'ab:3', 'ab:4', 'ab:5']);
  t.deepEqual([records[3]!.a, records[3]!.b], ['wrong', 'right']);
});

test('column map: nested prompt path, custom response fields, id and instruction', async (t) => {
  const { records } = await collect(new JsonlSource(), {
    path: fx('mapped.jsonl'), order: 'chosen-first', source: 'mine',
    columns: { id: 'uid', prompt: 'question.text', chosen: 'good', rejected: 'bad', instruction: 'task' },
  });
  t.deepEqual(records[0], {
    id: 'q-1', prompt: 'Best sorting algorithm for nearly sorted data?', a: 'Insertion sort', b: 'Bogosort', label: 'A',
    source: 'mine', instruction: 'Answer briefly.',
  });
  t.is(records.length, 2);
});

test('a/b column map with a custom labels table (0 = first)', async (t) => {
  const { records } = await collect(new JsonlSource(), {
    path: fx('zero-one.jsonl'), columns: { prompt: 'q', a: 'r0', b: 'r1', label: 'winner' }, labels: { 0: 'A', 1: 'B' },
  });
  t.deepEqual(records.map((r) => [r.prompt, r.label]), [['first better', 'A'], ['second better', 'B']]);
});

test('HH dialogue strings: shared prefix is the prompt, the last assistant turn is the response', async (t) => {
  const { records } = await collect(new JsonlSource(), { path: fx('hh.jsonl'), order: 'chosen-first' });
  t.is(records[0]!.prompt, 'How do I boil an egg?');
  t.deepEqual([records[0]!.a, records[0]!.b], ['Put it in boiling water for 8 minutes.', 'Eggs are not for boiling.']);
  t.is(records[1]!.prompt, 'Human: Hi\n\nAssistant: Hello! How can I help?\n\nHuman: Tell me a joke.');
  t.deepEqual(records[1]!.meta!.messages, [
    { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello! How can I help?' }, { role: 'user', content: 'Tell me a joke.' },
  ]);
  t.is(records[1]!.b, 'No.');
});

test('message lists: role/content, ShareGPT from/value, and the prompt column when nothing is shared', async (t) => {
  const { records } = await collect(new JsonlSource(), { path: fx('messages.jsonl'), order: 'chosen-first' });
  t.is(records[0]!.prompt, 'System: Be brief.\n\nUser: 2+3?');
  t.deepEqual([records[0]!.a, records[0]!.b], ['5', '6']);
  t.is(records[1]!.prompt, 'Largest planet?');
  t.deepEqual([records[1]!.a, records[1]!.b], ['Jupiter', 'Mars']);
  t.is(records[2]!.prompt, 'Translate to French: cat');
  t.deepEqual([records[2]!.a, records[2]!.b], ['chat', 'chien']);
  t.is(records[2]!.meta, undefined);
});

test('conversation: text refuses message lists (forced mode)', async (t) => {
  const err = await t.throwsAsync(collect(new JsonlSource(), { path: fx('messages.jsonl'), conversation: 'text' }));
  t.is(err!.message, `${fx('messages.jsonl')} line 1: field "chosen" must be a string, got [{"role":"system","content":"Be brief."},{"role":"user","content":"2+3?"},{"r...`);
});

test('json: a top-level array and an array under a dotted arrayKey give the same pairs (index ids)', async (t) => {
  const plain = await collect(new JsonSource(), { path: fx('pairs.json') });
  const wrapped = await collect(new JsonSource(), { path: fx('wrapped.json'), arrayKey: 'data.train', source: 'pairs' });
  t.is(plain.records.length, 3);
  t.deepEqual(wrapped.records, plain.records);
  t.deepEqual(plain.records.map((r) => r.id), ['j1', 'j2', 'j3']);
});

test('gzip: jsonl-gz (and jsonl, by magic bytes) read a gzipped copy identically', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gramr-ds-'));
  writeFileSync(path.join(dir, 'pairs.jsonl.gz'), gzipSync(readFileSync(path.join(ROOT, fx('pairs.jsonl')))));
  writeFileSync(path.join(dir, 'pairs.json.gz'), gzipSync(readFileSync(path.join(ROOT, fx('pairs.json')))));
  const plain = await collect(new JsonlSource(), { path: fx('pairs.jsonl') });
  const gz = await collect(new JsonlGzSource(), { path: 'pairs.jsonl.gz' }, dir);
  const gzAsJsonl = await collect(new JsonlSource(), { path: path.join(dir, 'pairs.jsonl.gz') });
  t.deepEqual(gz.records, plain.records);
  t.deepEqual(gzAsJsonl.records, plain.records);
  const jsonGz = await collect(new JsonSource(), { path: 'pairs.json.gz' }, dir);
  t.is(jsonGz.records.length, 3);
  t.is(new JsonlGzSource().kind, 'jsonl-gz');
});

test('limit stops after that many records', async (t) => {
  const { records, stats } = await collect(new JsonlSource(), { path: fx('pairs.jsonl'), limit: 2 });
  t.deepEqual(records.map((r) => r.id), ['p1', 'p2']);
  t.is(stats.read, 2);
});

test('an aborted context stops reading with the abort reason', async (t) => {
  const ctrl = new AbortController();
  ctrl.abort(new Error('stop now'));
  const iter = new JsonlSource().read({ path: fx('pairs.jsonl') }, ROOT, { signal: ctrl.signal, progress: { update: () => {}, log: () => {} }, seed: 0 });
  await t.throwsAsync(async () => {
    for await (const _ of iter) { /* drain */ }
  }, { message: 'stop now' });
});
