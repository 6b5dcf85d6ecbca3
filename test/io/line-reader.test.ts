// JSON Lines reading: lines split correctly across any chunk boundary (multi-byte utf-8 included), large files
// read in one pass (a 32 MB line and 32 MB of short lines, through both readers), and a line over the cap fails
// with an error naming file and line instead of filling memory.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_MAX_LINE_BYTES, LineTooLongError, splitLines } from '../../core/io/line-reader.js';
import { WorkError } from '../../core/errors.js';
import { readJsonl } from '../../core/pipeline/record-writer.js';
import { readJsonlItems, resolveInput, type RawItem } from '../../plugins/data-sources/file-reading.js';
import { DataFileError } from '../../plugins/data-sources/errors.js';
import { tempDir } from '../pipeline/helpers.js';

async function lines(chunks: Array<string | Uint8Array>, limit?: number): Promise<string[]> {
  async function* gen(): AsyncGenerator<string | Uint8Array> { yield* chunks; }
  const out: string[] = [];
  for await (const l of splitLines(gen(), limit)) out.push(l);
  return out;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('splitLines: every chunking of a text gives the same lines', async (t) => {
  const text = 'ä€😀\n\r\n{"a":1}\r\nlast é';
  const bytes = Buffer.from(text, 'utf8');
  const expected = ['ä€😀', '\r', '{"a":1}\r', 'last é'];
  for (let size = 1; size <= bytes.length; size++) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    t.deepEqual(await lines(chunks), expected, `chunks of ${size} bytes`);
  }
  t.deepEqual(await lines([]), []);
  t.deepEqual(await lines(['a\n']), ['a']);
  t.deepEqual(await lines(['\n\n']), ['', '']);
});

test('splitLines: a 256 KB line in one-byte-per-character string chunks is gathered in one pass', async (t) => {
  // A reader that rescans or re-joins what it holds per chunk does ~10^10 steps here; a linear one 10^5.
  const chunks = Array.from({ length: 1 << 18 }, (_, i) => (i % 97 === 0 ? 'é' : 'x'));
  const out = await lines([...chunks, '\nnext']);
  t.is(out.length, 2);
  t.is(out[0], chunks.join(''));
  t.is(out[1], 'next');
});

test('splitLines: the line cap names the line, and a line of exactly the cap is fine', async (t) => {
  t.deepEqual(await lines(['12345\n', '123', '45\n'], 5), ['12345', '12345']);
  const err = await t.throwsAsync(lines(['ok\n', '123', '456', '789'], 5), { instanceOf: LineTooLongError });
  t.is(err?.line, 2);
  t.regex(err?.message ?? '', /^line 2 is longer than 5 bytes, the cap on one line of a JSON Lines file/);
  const big = await t.throwsAsync(lines(['a\nb\n' + 'x'.repeat(12) + '\n'], 10), { instanceOf: LineTooLongError });
  t.is(big?.line, 3);
  t.is(DEFAULT_MAX_LINE_BYTES, 64 * 1024 * 1024);
});

/** A 32 MB file: one record whose text is one 32 MB line, then two short records. */
function bigLineFile(dir: string, gzip = false): { file: string; text: string } {
  const text = 'ab"\\\n'.repeat(32 * 1024 * 1024 / 8); // JSON-escaped below to 8 bytes per repeat
  const body = `${JSON.stringify({ text })}\n{"n":1}\n\n{"n":2}`;
  const file = path.join(dir, gzip ? 'big.jsonl.gz' : 'big.jsonl');
  writeFileSync(file, gzip ? gzipSync(body) : body);
  return { file, text };
}

test('readJsonl and readJsonlItems read a 32 MB line (plain and gzip) correctly', async (t) => {
  t.timeout(60_000); // a guard against the old quadratic join (48 s at 32 MB), not a speed target
  const dir = tempDir();
  const { file, text } = bigLineFile(dir);
  const recs = (await all(readJsonl(file))) as Array<{ text?: string; n?: number }>;
  t.is(recs.length, 3);
  t.true(recs[0]!.text === text);
  t.deepEqual(recs.slice(1), [{ n: 1 }, { n: 2 }]);
  for (const gzip of [false, true]) {
    const f = bigLineFile(dir, gzip).file;
    const items: RawItem[] = await all(readJsonlItems(resolveInput(f, dir)));
    t.deepEqual(items.map((i) => i.loc.line), [1, 2, 4]);
    t.true((items[0]!.value as { text: string }).text === text);
    t.deepEqual(items.slice(1).map((i) => i.value), [{ n: 1 }, { n: 2 }]);
  }
});

test('readJsonlItems reads 32 MB of short lines with the right line numbers', async (t) => {
  t.timeout(60_000);
  const dir = tempDir();
  const n = 1 << 20;
  const file = path.join(dir, 'many.jsonl');
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push(`{"i":${i},"p":"${'x'.repeat(23 - String(i).length)}"}`); // 31 bytes + newline
  writeFileSync(file, rows.join('\n') + '\n');
  let count = 0;
  let last: RawItem | undefined;
  for await (const item of readJsonlItems(resolveInput(file, dir))) {
    if ((item.value as { i: number }).i !== count) t.fail(`line ${item.loc.line} holds ${JSON.stringify(item.value)}`);
    count++;
    last = item;
  }
  t.is(count, n);
  t.is(last?.loc.line, n);
});

test('a line over the cap is an error naming file and line, from both readers', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'capped.jsonl');
  writeFileSync(file, `{"a":1}\n{"b":"${'x'.repeat(5000)}"}\n`);
  const core = await t.throwsAsync(all(readJsonl(file, 4096)), { instanceOf: WorkError });
  t.is(core?.message, `${file} line 2 is longer than 4096 bytes, the cap on one line of a JSON Lines file (is this file JSON Lines? GRAMR_MAX_LINE_BYTES raises the cap)`);
  const ds = await t.throwsAsync(all(readJsonlItems(resolveInput('capped.jsonl', dir), undefined, 4096)), { instanceOf: DataFileError });
  t.regex(ds?.message ?? '', /^capped\.jsonl: line 2 is longer than 4096 bytes/);
  t.is((await all(readJsonl(file, 5012))).length, 2);
});
