// kill -9 in the middle of a stage that writes thousands of records, then run again: the stage resumes and
// the final artifact equals an uninterrupted run's, with nothing lost or duplicated.
import test from 'ava';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { cli, cliSpawn, tempDir, writeCountPlugin, writeIn } from './helpers.js';

const N = 4000;

function setup(): string {
  const dir = tempDir('gramr-resume-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', `name: count\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, n: ${N}, to: numbers }\n`);
  return dir;
}

test('kill -9 mid-stage, re-run: same records, none lost or duplicated', async (t) => {
  const ref = setup();
  const full = cli(['run', 'p.yaml', '--json'], ref);
  t.is(full.code, 0, full.stderr);
  const expected = readFileSync(path.join(ref, 'runs/count/count-to/numbers.jsonl'), 'utf8');
  t.is(expected.trim().split('\n').length, N);

  const dir = setup();
  const partial = path.join(dir, 'runs/count/count-to/numbers.jsonl.partial');
  const child = cliSpawn(['run', 'p.yaml', '--json'], dir);
  const started = Date.now();
  // Wait until a good part (but not all) has been written, then kill -9.
  while (!(existsSync(partial) && statSync(partial).size > 40_000) && Date.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  t.true(existsSync(partial), 'the killed run left a partial file');
  const linesBefore = readFileSync(partial, 'utf8').split('\n').length - 1;
  t.true(linesBefore > 0 && linesBefore < N, `killed mid-run (${linesBefore} of ${N} lines written)`);
  t.false(existsSync(path.join(dir, 'runs/count/count-to/manifest.json')));

  const again = cli(['run', 'p.yaml', '--json'], dir);
  t.is(again.code, 0, again.stderr);
  const got = readFileSync(path.join(dir, 'runs/count/count-to/numbers.jsonl'), 'utf8');
  const ids = got.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
  t.is(ids.length, N);
  t.deepEqual(ids, Array.from({ length: N }, (_, i) => i));
  t.is(got, expected);
  const third = cli(['run', 'p.yaml', '--json'], dir);
  t.regex(third.stdout, /"stage-skip"/);
});

test('kill -9 of the runner with two stages in flight: its stage processes exit, a rerun resumes both', async (t) => {
  // Both stages wait halfway until the file "go" exists, so both are surely in flight when the runner is killed.
  const pipeline = 'name: two\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, id: a, n: 3000, to: left, gate: go }\n  - { stage: count-to, id: b, n: 3000, to: right, gate: go }\n';
  const ref = tempDir('gramr-resume2-');
  writeCountPlugin(ref);
  writeIn(ref, 'p.yaml', pipeline);
  writeIn(ref, 'go', '');
  t.is(cli(['run', 'p.yaml', '--jobs', '1'], ref).code, 0);

  const dir = tempDir('gramr-resume2-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', pipeline);
  const child = cliSpawn(['run', 'p.yaml', '--jobs', '2', '--json'], dir);
  const partials = ['a/left', 'b/right'].map((p) => path.join(dir, 'runs/two', `${p}.jsonl.partial`));
  const started = Date.now();
  while (!partials.every((p) => existsSync(p) && statSync(p).size > 40_000) && Date.now() - started < 120_000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const helpers = (JSON.parse(readFileSync(path.join(dir, 'runs/two/.lock'), 'utf8')) as { helpers: number[] }).helpers;
  t.is(helpers.length, 2, 'two stage processes in flight');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
  const t0 = Date.now();
  while (helpers.some(alive) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
  t.false(helpers.some(alive), 'the stage processes exit when their runner dies');
  for (const p of partials) t.true(existsSync(p));

  writeIn(dir, 'go', '');
  const again = cli(['run', 'p.yaml', '--jobs', '2', '--json'], dir);
  t.is(again.code, 0, again.stderr);
  for (const [stage, out] of [['a', 'left'], ['b', 'right']]) {
    const file = `runs/two/${stage}/${out}.jsonl`;
    t.is(readFileSync(path.join(dir, file), 'utf8'), readFileSync(path.join(ref, file), 'utf8'), `${file}: nothing lost or duplicated`);
    const starts = readFileSync(path.join(dir, 'runs/two', stage, 'events.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"stage-start"')).length;
    t.is(starts, 2, `${stage} resumed in its kept folder`);
  }
  t.regex(cli(['run', 'p.yaml', '--json'], dir).stdout, /"stage-skip","stage":"a"[\s\S]*"stage-skip","stage":"b"/);
});
