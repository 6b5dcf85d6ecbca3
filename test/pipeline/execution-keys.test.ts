// How a stage executes is not what it computes: execution-only option keys (queue settings, executor) stay out of
// the config hash, so changing them after an interruption resumes the stage instead of wiping it.
import test from 'ava';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { createAppContainer } from '../../cli/app.js';
import { stageConfigHash } from '../../core/pipeline/runner.js';
import { cli, cliSpawn, tempDir, writeCountPlugin, writeIn } from './helpers.js';

const N = 4000;

function setup(): string {
  const dir = tempDir('gramr-exec-keys-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', `name: count\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, n: ${N}, to: numbers, timeoutS: 5 }\n`);
  return dir;
}

const events = (dir: string): string[] => readFileSync(path.join(dir, 'runs/count/count-to/events.jsonl'), 'utf8')
  .trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);

test('changing timeoutS on a half-done stage resumes it with the same results', async (t) => {
  const ref = setup();
  t.is(cli(['run', 'p.yaml', '--json'], ref).code, 0);
  const expected = readFileSync(path.join(ref, 'runs/count/count-to/numbers.jsonl'), 'utf8');
  const refManifest = JSON.parse(readFileSync(path.join(ref, 'runs/count/count-to/manifest.json'), 'utf8')) as { configHash: string };

  const dir = setup();
  const partial = path.join(dir, 'runs/count/count-to/numbers.jsonl.partial');
  const child = cliSpawn(['run', 'p.yaml', '--json'], dir);
  const t0 = Date.now();
  while (!(existsSync(partial) && statSync(partial).size > 40_000) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const before = readFileSync(partial, 'utf8').split('\n').length - 1;
  t.true(before > 0 && before < N, `killed mid-run (${before} of ${N})`);

  const again = cli(['run', 'p.yaml', '--json', '--set', 'stages[0].timeoutS=600'], dir);
  t.is(again.code, 0, again.stderr);
  t.deepEqual(events(dir).filter((e) => e === 'stage-start').length, 2, 'the folder of the first attempt was kept');
  t.is(readFileSync(path.join(dir, 'runs/count/count-to/numbers.jsonl'), 'utf8'), expected);
  const m = JSON.parse(readFileSync(path.join(dir, 'runs/count/count-to/manifest.json'), 'utf8')) as { configHash: string; options: { timeoutS: number } };
  t.is(m.configHash, refManifest.configHash);
  t.is(m.options.timeoutS, 600, 'the manifest still records the execution settings used');
  // Complete: another change of timeoutS skips; a change of what it computes runs it again from scratch.
  t.regex(cli(['run', 'p.yaml', '--json', '--set', 'stages[0].timeoutS=7'], dir).stdout, /"stage-skip"/);
  const changed = cli(['run', 'p.yaml', '--json', '--set', 'stages[0].n=10'], dir);
  t.is(changed.code, 0, changed.stderr);
  t.deepEqual(events(dir).filter((e) => e === 'stage-start').length, 1, 'a changed computation starts clean');
});

test('built-in stage kinds keep queue and executor settings out of the hash, and the rest in', async (t) => {
  const c = await createAppContainer([]);
  const hashOf = (kind: string, options: Record<string, unknown>): string =>
    stageConfigHash({ kind, options, executionKeys: c.contribution('Stage', kind)?.executionKeys ?? [] }, 0);
  const qj = { model: 'm', from: 'pairs', to: 'out', redis: 'redis://127.0.0.1:6379', queue: 'q', batchSize: 8, attempts: 3, pollMs: 250 };
  t.is(hashOf('queue-judge', qj), hashOf('queue-judge', { ...qj, redis: 'redis://other:6379', queue: 'q2', attempts: 5, pollMs: 50, timeoutS: 30 }));
  t.not(hashOf('queue-judge', qj), hashOf('queue-judge', { ...qj, batchSize: 4 }));
  t.not(hashOf('queue-judge', qj), hashOf('queue-judge', { ...qj, model: 'm2' }));
  for (const kind of ['self-train', 'synthesize-rationales']) {
    const base = { from: 'x', to: 'y' };
    t.is(hashOf(kind, base), hashOf(kind, { ...base, executor: { kind: 'queue', redis: 'redis://127.0.0.1:6379', timeoutS: 9 } }), kind);
    t.not(hashOf(kind, base), hashOf(kind, { ...base, to: 'z' }), kind);
  }
});
