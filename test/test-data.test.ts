// The test-data helpers and the shipped fixtures themselves: GRAMR_DATA resolution, the whole files' sha256 against
// their SOURCE.md, a provenance note in every slice, and (with the full sets) that scripts/cut-data-slices.mjs cuts
// exactly the committed test/fixtures/data from them.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_DATA_FOLDER } from '../plugins/data-sources/benchmark-data.js';
import { FIXTURE_DATA, REPO_ROOT, fixturePath, fullData, wholeSetTest } from './test-data.js';

const SLICED = ['rm-bench', 'judgebench', 'llmbar', 'hh-rlhf', 'pandalm', 'gsm8k', 'math500', 'qwen25-math-rm-maj'];
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every file under `dir`, relative to it, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p).map((f) => path.join(name, f)) : [name];
  }).sort();
}

test.serial('fullData: GRAMR_DATA resolves against the repo root; unset or empty means the default folder; absent says why', (t) => {
  const saved = process.env.GRAMR_DATA;
  t.teardown(() => { if (saved === undefined) delete process.env.GRAMR_DATA; else process.env.GRAMR_DATA = saved; });
  delete process.env.GRAMR_DATA;
  t.is(fullData().root, path.resolve(REPO_ROOT, DEFAULT_DATA_FOLDER));
  process.env.GRAMR_DATA = '';
  t.is(fullData().root, path.resolve(REPO_ROOT, DEFAULT_DATA_FOLDER));
  process.env.GRAMR_DATA = 'test/fixtures/data';
  t.deepEqual(fullData(), { root: FIXTURE_DATA, present: true, reason: undefined });
  process.env.GRAMR_DATA = path.join(REPO_ROOT, 'no-such-folder');
  const absent = fullData();
  t.false(absent.present);
  t.is(absent.reason, `GRAMR_DATA=${path.join(REPO_ROOT, 'no-such-folder')} not found: whole-benchmark tests need the full sets`);
  process.env.GRAMR_DATA = fixturePath('stories260K/tok512.bin');
  t.false(fullData().present, 'a file is not a data folder');
});

test('fixturePath: a shipped file by its path under test/fixtures/data; a missing one is named', (t) => {
  t.is(fixturePath('gsm8k/test.jsonl'), path.join(FIXTURE_DATA, 'gsm8k/test.jsonl'));
  t.throws(() => fixturePath('gsm8k/train.jsonl'), { message: `test fixture ${path.join(FIXTURE_DATA, 'gsm8k/train.jsonl')} is missing (node scripts/cut-data-slices.mjs writes test/fixtures/data)` });
});

test('the whole files shipped have the sha256 their SOURCE.md gives', (t) => {
  const expected: Array<[string, string]> = [
    ['stories260K/stories260K.bin', 'b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696'],
    ['stories260K/tok512.bin', '037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312'],
    ['gpt2-tokenizer/tokenizer.json', '3b9c6287a65376da925c735806db5e58f9e792a232e48869799d5206ce0142db'],
  ];
  for (const [file, sha] of expected) {
    t.true(readFileSync(fixturePath(path.join(path.dirname(file), 'SOURCE.md')), 'utf8').includes(`sha256 \`${sha}\``), file);
    t.is(sha256(fixturePath(file)), sha, file);
  }
});

test('every slice has its set\'s SOURCE.md with a note of which records it holds and how it was cut', (t) => {
  for (const set of SLICED) {
    const text = readFileSync(fixturePath(`${set}/SOURCE.md`), 'utf8');
    t.regex(text, /^# /, set);
    t.regex(text, /License/i, set);
    t.regex(text, /## This copy is a slice \(test fixture\)\n\n- .*holds/, set);
    t.true(text.includes('Cut by `node scripts/cut-data-slices.mjs`'), set);
  }
});

wholeSetTest('scripts/cut-data-slices.mjs cuts exactly the committed test/fixtures/data from the full sets', (t, root) => {
  const out = mkdtempSync(path.join(tmpdir(), 'gramr-slices-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, ['scripts/cut-data-slices.mjs', out], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, GRAMR_DATA: root } });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(files(out), files(FIXTURE_DATA));
  for (const f of files(out)) t.is(sha256(path.join(out, f)), sha256(path.join(FIXTURE_DATA, f)), f);
  for (const set of SLICED) {
    const full = readFileSync(path.join(root, set, 'SOURCE.md'), 'utf8').trimEnd();
    t.true(readFileSync(path.join(FIXTURE_DATA, set, 'SOURCE.md'), 'utf8').startsWith(full), `${set}/SOURCE.md starts with the full set's`);
  }
});
