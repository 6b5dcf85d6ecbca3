// The resumable JSONL writer: a torn last line is dropped on reopen, counts survive and read back, commit publishes.
import test from 'ava';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RecordWriter, readJsonl } from '../../core/pipeline/record-writer.js';
import { tempDir } from './helpers.js';

test('reopen after a torn write keeps only complete records', async (t) => {
  const file = path.join(tempDir(), 'out.jsonl');
  const w = await RecordWriter.open(file, 2);
  for (let i = 0; i < 5; i++) await w.append({ i });
  await w.flush();
  appendFileSync(`${file}.partial`, '{"i": 5, "torn'); // simulate a crash mid-write
  const w2 = await RecordWriter.open(file);
  t.is(w2.count, 5);
  await w2.append({ i: 5 });
  t.is(await w2.commit(), 6);
  t.false(existsSync(`${file}.partial`));
  const rows: unknown[] = [];
  for await (const r of readJsonl(file)) rows.push(r);
  t.deepEqual(rows, [0, 1, 2, 3, 4, 5].map((i) => ({ i })));
});

test('earlierRecords reads back the complete records of an interrupted run, not the torn line nor later appends', async (t) => {
  const file = path.join(tempDir(), 'log.jsonl');
  const fresh = await RecordWriter.open(file);
  t.is(fresh.resumed, 0);
  const none: unknown[] = [];
  for await (const r of fresh.earlierRecords()) none.push(r);
  t.deepEqual(none, []);
  for (let i = 0; i < 3; i++) await fresh.append({ id: `p${i}` });
  await fresh.abandon();
  appendFileSync(`${file}.partial`, '{"id": "p3", "to'); // killed mid-line
  const w = await RecordWriter.open(file);
  await w.append({ id: 'p3' });
  await w.flush();
  const back: unknown[] = [];
  for await (const r of w.earlierRecords()) back.push(r);
  t.is(w.resumed, 3);
  t.is(w.count, 4);
  t.deepEqual(back, [{ id: 'p0' }, { id: 'p1' }, { id: 'p2' }]);
  // A committed file (stage died before its manifest) is reopened and read back the same way.
  await w.commit();
  const reopened = await RecordWriter.open(file), again: unknown[] = [];
  for await (const r of reopened.earlierRecords()) again.push(r);
  await reopened.abandon();
  t.deepEqual(again, ['p0', 'p1', 'p2', 'p3'].map((id) => ({ id })));
});

test('readJsonl names file and line of a bad record', async (t) => {
  const file = path.join(tempDir(), 'bad.jsonl');
  appendFileSync(file, '{"ok":1}\n{"ok":\n');
  const err = await t.throwsAsync(async () => {
    for await (const _ of readJsonl(file)) void _;
  });
  t.regex(err?.message ?? '', /bad\.jsonl line 2: not valid JSON/);
  t.is(readFileSync(file, 'utf8').split('\n').length, 3);
});
