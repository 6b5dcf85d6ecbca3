// The resumable JSONL writer: a torn last line is dropped on reopen, counts survive, commit publishes.
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

test('readJsonl names file and line of a bad record', async (t) => {
  const file = path.join(tempDir(), 'bad.jsonl');
  appendFileSync(file, '{"ok":1}\n{"ok":\n');
  const err = await t.throwsAsync(async () => {
    for await (const _ of readJsonl(file)) void _;
  });
  t.regex(err?.message ?? '', /bad\.jsonl line 2: not valid JSON/);
  t.is(readFileSync(file, 'utf8').split('\n').length, 3);
});
