// docs/writing-a-plugin.md is executable: its plugin source is compiled with tsc in a folder outside the
// tree (importing 'gramr' like an outside package would), and its pipeline is validated and run on the shipped
// LLMBar slice (test/fixtures/data) as its data folder (GRAMR_DATA).
import test from 'ava';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { cli, repoRoot, tempDir, writeIn } from '../pipeline/helpers.js';
import { FIXTURE_DATA, fixturePath } from '../test-data.js';

/** Code blocks of a markdown file tagged ```lang file=NAME. */
function blocks(md: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of md.matchAll(/```\w+ file=(\S+)\n([\s\S]*?)```/g)) out.set(m[1], m[2]);
  return out;
}

test('the worked example compiles, validates and runs', (t) => {
  const md = readFileSync(path.join(repoRoot, 'docs/writing-a-plugin.md'), 'utf8');
  const files = blocks(md);
  t.true(files.has('length-baseline.ts') && files.has('pipeline.yaml'));
  const dir = tempDir('gramr-doc-plugin-');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules/gramr'), 'dir');
  writeIn(dir, 'package.json', JSON.stringify({ type: 'module', private: true }));
  writeIn(dir, 'length-baseline.ts', files.get('length-baseline.ts') ?? '');
  writeIn(dir, 'tsconfig.json', JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, experimentalDecorators: true,
      emitDecoratorMetadata: true, skipLibCheck: true, types: [] },
    files: ['length-baseline.ts'],
  }));
  const tsc = spawnSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  t.is(tsc.status, 0, tsc.stdout + tsc.stderr);
  const yaml = files.get('pipeline.yaml') ?? '';
  t.regex(yaml, /llmbar: \{ kind: llmbar, subsets/, 'the doc reads LLMBar from its standard place');
  writeIn(dir, 'pipeline.yaml', yaml);
  process.env.GRAMR_DATA = FIXTURE_DATA; // the standard place: the shipped LLMBar slice (this file's own process)

  const bad = cli(['validate', 'pipeline.yaml', '--set', 'stages[0].preferShortr=true'], dir);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /stages\[0\]\.preferShortr: unknown key "preferShortr"; valid keys: from, to, preferShorter/);
  const listed = cli(['plugins', '--plugin', './length-baseline.js'], dir);
  t.regex(listed.stdout, /length-baseline +judge pairs by response length/);

  const run = cli(['run', 'pipeline.yaml', '--json'], dir);
  t.is(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { stages: Array<{ metrics: { pairs: number; accuracy: number } }> };
  const { pairs, accuracy } = summary.stages[0].metrics;
  const verdicts = readFileSync(path.join(dir, 'runs/length-floor/length-baseline/verdicts.jsonl'), 'utf8').trim().split('\n');
  t.is(verdicts.length, pairs);
  const natural = JSON.parse(readFileSync(fixturePath('llmbar/Dataset/LLMBar/Natural/dataset.json'), 'utf8')) as unknown[];
  t.is(pairs, natural.length);
  t.is(pairs, 8);
  // Recompute the accuracy from the verdict file: the stage's metric must match it.
  const rows = verdicts.map((l) => JSON.parse(l) as { verdict: string; label: string });
  const agree = rows.filter((r) => r.verdict === r.label).length / rows.length;
  t.is(Math.round(agree * 1e6), Math.round(accuracy * 1e6));
});

test('the command example compiles, is listed by gramr --help and counts the labels of a file', (t) => {
  const md = readFileSync(path.join(repoRoot, 'docs/writing-a-plugin.md'), 'utf8');
  const source = blocks(md).get('label-count.ts');
  t.truthy(source, 'no ```ts file=label-count.ts block in docs/writing-a-plugin.md');
  const dir = tempDir('gramr-doc-command-');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules/gramr'), 'dir');
  writeIn(dir, 'package.json', JSON.stringify({ type: 'module', private: true }));
  writeIn(dir, 'label-count.ts', source ?? '');
  writeIn(dir, 'tsconfig.json', JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: [] },
    files: ['label-count.ts'],
  }));
  const tsc = spawnSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  t.is(tsc.status, 0, tsc.stdout + tsc.stderr);
  const labels = ['A', 'B', 'A', 'tie', 'A', 'B'];
  writeIn(dir, 'pairs.jsonl', labels.map((label, i) => JSON.stringify({ id: `p${i}`, prompt: 'q', a: 'x', b: 'y', label })).join('\n') + '\n');

  const help = cli(['--plugin', './label-count.js', '--help'], dir);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /\n {2}label-count +Count the labels of a JSONL file of pairs\./);
  t.regex(help.stdout, /\n {2}serve +Serve a reward model over HTTP/, 'the built-in plugins\' commands are listed too');
  t.notRegex(cli(['--help'], dir).stdout, /label-count/, 'listed without --plugin');

  const run = cli(['--plugin', './label-count.js', 'label-count', 'pairs.jsonl'], dir);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, 'A 3\nB 2\ntie 1\n');
  const json = cli(['--plugin', './label-count.js', 'label-count', 'pairs.jsonl', '--json'], dir);
  t.deepEqual(JSON.parse(json.stdout), { A: 3, B: 2, tie: 1 });

  const usage = cli(['--plugin', './label-count.js', 'label-count'], dir);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /gramr label-count: expected FILE, got nothing\nusage: gramr --plugin \.\/label-count\.js label-count FILE/);
  const unknown = cli(['label-count', 'pairs.jsonl'], dir);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown command "label-count"; commands: run, .*, work, serve\n$/);
});
