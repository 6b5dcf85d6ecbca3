// Writes that go wrong: short writes are continued, a full disk (ENOSPC) or quota (EDQUOT) is a WorkError that
// names the file and leaves the last good state intact, and folders are fsynced after the renames that publish
// files. A shim around node's open() makes writes short or makes the disk "fill up" after a byte budget.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/io/atomic-write.js';
import type { OpenFile } from '../../core/io/file-io.js';
import { WorkError } from '../../core/errors.js';
import { EventLog } from '../../core/pipeline/event-log.js';
import { RecordWriter, readJsonl } from '../../core/pipeline/record-writer.js';
import { tempDir } from '../pipeline/helpers.js';

interface Shim {
  opener: OpenFile;
  /** Folders fsynced, with whether `watch` existed at that moment. */
  dirSyncs: Array<{ dir: string; watchedExists: boolean }>;
}

type WriteFn = (data: Uint8Array | string, offset?: number, length?: number) => Promise<{ bytesWritten: number }>;

/** Writes at most `maxPerWrite` bytes per call; after `budget` bytes, every write fails with `code`. */
function shim(opts: { maxPerWrite?: number; budget?: number; code?: string; watch?: string } = {}): Shim {
  let left = opts.budget ?? Infinity;
  const dirSyncs: Shim['dirSyncs'] = [];
  const opener: OpenFile = async (p, flags) => {
    const fh = await open(p, flags);
    if (statSync(p).isDirectory()) {
      const sync = fh.sync.bind(fh);
      fh.sync = async () => { dirSyncs.push({ dir: p, watchedExists: opts.watch !== undefined && existsSync(opts.watch) }); return sync(); };
      return fh;
    }
    const write = fh.write.bind(fh) as unknown as WriteFn;
    const shimmed: WriteFn = async (data, offset, length) => {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const off = typeof data === 'string' ? 0 : offset ?? 0;
      const want = typeof data === 'string' ? buf.length : length ?? buf.length - off;
      const n = Math.min(want, opts.maxPerWrite ?? want, left);
      if (n === 0 && want > 0) throw Object.assign(new Error(`${opts.code ?? 'ENOSPC'}: no space left on device, write`), { code: opts.code ?? 'ENOSPC' });
      const r = await write(buf, off, n);
      left -= r.bytesWritten;
      return r;
    };
    (fh as unknown as { write: WriteFn }).write = shimmed;
    return fh;
  };
  return { opener, dirSyncs };
}

async function lines(file: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of readJsonl(file)) out.push(r);
  return out;
}

const records = (from: number, to: number): Array<{ i: number; text: string }> =>
  Array.from({ length: to - from }, (_, k) => ({ i: from + k, text: 'é'.repeat((from + k) % 13) }));

test('writeFileAtomic: short writes are continued, and the folder is fsynced after the rename', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'out.json');
  const s = shim({ maxPerWrite: 3, watch: file });
  const content = JSON.stringify({ text: 'ü'.repeat(1000) });
  await writeFileAtomic(file, content, { openFile: s.opener });
  t.is(readFileSync(file, 'utf8'), content);
  t.deepEqual(s.dirSyncs, [{ dir, watchedExists: true }]);
});

for (const code of ['ENOSPC', 'EDQUOT']) {
  test(`writeFileAtomic: ${code} is a clear WorkError and the previous file is unchanged`, async (t) => {
    const dir = tempDir();
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, '{"old":true}\n');
    const err = await t.throwsAsync(writeFileAtomic(file, 'x'.repeat(10_000), { openFile: shim({ budget: 4096, code }).opener }), { instanceOf: WorkError });
    const what = code === 'ENOSPC' ? 'the disk is full \\(ENOSPC\\)' : 'the disk quota is exceeded \\(EDQUOT\\)';
    t.regex(err?.message ?? '', new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ${what}; nothing was written and the previous manifest\\.json \\(if any\\) is unchanged`));
    t.is(readFileSync(file, 'utf8'), '{"old":true}\n');
    t.deepEqual(readdirSync(dir), ['manifest.json']); // no temp file left behind
  });
}

test('RecordWriter: short writes are continued; commit fsyncs the folder after publishing', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'out.jsonl');
  const s = shim({ maxPerWrite: 5, watch: file });
  const w = await RecordWriter.open(file, 7, s.opener);
  for (const r of records(0, 100)) await w.append(r);
  t.is(await w.commit(), 100);
  t.deepEqual(await lines(file), records(0, 100));
  t.deepEqual(s.dirSyncs, [{ dir, watchedExists: true }]);
});

test('RecordWriter: a full disk mid-flush keeps the last flushed records intact and a reopen resumes after them', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'out.jsonl');
  const w = await RecordWriter.open(file, 10, shim({ budget: 500 }).opener);
  let err: unknown;
  let appended = 0;
  try {
    for (const r of records(0, 100)) { await w.append(r); appended++; }
  } catch (e) {
    err = e;
  }
  t.true(err instanceof WorkError, String(err));
  const partial = `${file}.partial`;
  t.regex((err as Error).message, new RegExp(`${path.basename(partial)}: the disk is full \\(ENOSPC\\); its ${w.count} records written before are kept`));
  t.true(w.count > 0 && w.count % 10 === 0 && w.count < appended + 1, `count ${w.count} after ${appended} appends`);
  // The file ends on a complete line and holds exactly the records of the successful flushes.
  t.true(readFileSync(partial, 'utf8').endsWith('\n'));
  t.deepEqual(await lines(partial), records(0, w.count));
  await w.abandon();
  const again = await RecordWriter.open(file);
  t.is(again.count, records(0, w.count).length);
  for (const r of records(again.count, 100)) await again.append(r);
  t.is(await again.commit(), 100);
  t.deepEqual(await lines(file), records(0, 100));
});

const devFull = existsSync('/dev/full');
(devFull ? test : test.skip)('EventLog: a real ENOSPC (/dev/full; skipped where there is none) is a clear WorkError', (t) => {
  const log = new EventLog('/dev/full');
  const err = t.throws(() => log.write({ type: 'log', message: 'x' }), { instanceOf: WorkError });
  t.is(err?.message, '/dev/full: the disk is full (ENOSPC); the events logged before are kept. Free some space and run again.');
});
