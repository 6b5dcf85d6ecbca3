// The run folder lock: a second `gramr run` on a busy run folder refuses and names the holder, the first run's
// output stays intact, and a lock left by a dead process on this host is taken over.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, cliSpawn, tempDir, writeCountPlugin, writeIn } from './helpers.js';

const N = 2000;

function setup(gate = ''): string {
  const dir = tempDir('gramr-lock-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', `name: count\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, n: ${N}, to: numbers${gate} }\n`);
  return dir;
}

function collect(child: ReturnType<typeof cliSpawn>): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout?.resume();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code: code ?? -1, stderr })));
}

test('two runs started together: the second refuses naming the holder, the first output is intact, a rerun skips', async (t) => {
  const dir = setup(', gate: open');
  const lockFile = path.join(dir, 'runs/count/.lock');
  const a = cliSpawn(['run', 'p.yaml', '--json'], dir);
  const aDone = collect(a);
  await new Promise((r) => setTimeout(r, 300));
  const b = cliSpawn(['run', 'p.yaml', '--json'], dir);
  const bDone = collect(b);
  // Either may win the lock; the winner waits halfway through its records until the gate opens, so the other
  // must find the folder busy: it refuses and names the winner.
  const first = await Promise.race([aDone.then((r) => ({ r, other: a })), bDone.then((r) => ({ r, other: b }))]);
  const lost = first.r;
  const winner = first.other === a ? b : a;
  t.false(existsSync(path.join(dir, 'runs/count/count-to/manifest.json')), 'the winner is still running');
  writeFileSync(path.join(dir, 'open'), '');
  const won = await (winner === a ? aDone : bDone);
  t.is(won.code, 0, won.stderr);
  t.is(lost.code, 3, lost.stderr);
  t.regex(lost.stderr, new RegExp(`in use by another gramr run \\(pid ${winner.pid} on ${os.hostname()}, started \\d{4}-\\d\\d-\\d\\dT`));
  const lines = readFileSync(path.join(dir, 'runs/count/count-to/numbers.jsonl'), 'utf8').trim().split('\n');
  t.is(lines.length, N);
  t.deepEqual(lines.map((l) => (JSON.parse(l) as { i: number }).i), Array.from({ length: N }, (_, i) => i));
  const m = JSON.parse(readFileSync(path.join(dir, 'runs/count/count-to/manifest.json'), 'utf8')) as { outputs: { numbers: { records: number } } };
  t.is(m.outputs.numbers.records, N);
  t.false(existsSync(lockFile), 'the lock is released at the end');
  const again = cli(['run', 'p.yaml', '--json'], dir);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /"stage-skip"/);
});

test('a stale lock of a dead process on this host is taken over; a lock from another host is refused', (t) => {
  const dir = setup();
  mkdirSync(path.join(dir, 'runs/count'), { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const lockFile = path.join(dir, 'runs/count/.lock');
  writeFileSync(lockFile, JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), started: '2026-01-01T00:00:00.000Z', token: 'x' }));
  const r = cli(['run', 'p.yaml', '--json'], dir);
  t.is(r.code, 0, r.stderr);
  t.false(existsSync(lockFile));
  t.is(readFileSync(path.join(dir, 'runs/count/count-to/numbers.jsonl'), 'utf8').trim().split('\n').length, N);

  writeFileSync(lockFile, JSON.stringify({ pid: Number(dead.stdout), host: 'elsewhere.example', started: '2026-01-01T00:00:00.000Z', token: 'y' }));
  const remote = cli(['run', 'p.yaml', '--json'], dir);
  t.is(remote.code, 3);
  t.regex(remote.stderr, /pid \d+ on elsewhere\.example, started 2026-01-01T00:00:00\.000Z/);
  t.true(existsSync(lockFile), 'a lock from another host is left alone');
});
