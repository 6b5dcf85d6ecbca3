// YAML aliases in pipeline files: ordinary anchor reuse works; an alias bomb ("billion laughs") is a ConfigError
// (exit 2) naming the file and line, both from loadPipeline and through `gramr validate`, and in --set values.
import test from 'ava';
import * as path from 'node:path';
import { loadAppPipeline } from '../../cli/app.js';
import { ConfigError } from '../../core/errors.js';
import { cli, repoRoot, tempDir, writeIn } from './helpers.js';

const fixture = path.join(repoRoot, 'test/fixtures/pipeline/pairs.jsonl');

/** Nine levels of nine-fold aliases: 9^9 strings once expanded. */
function bomb(): string {
  const names = 'abcdefghi'.split('');
  const lines = [`x-a: &a [${Array(9).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < names.length; i++) lines.push(`x-${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`);
  return `name: t\n${lines.join('\n')}\ndatasets:\n  pairs: { kind: jsonl, path: ${fixture} }\nstages: [*i]\n`;
}

test('an alias bomb is a ConfigError naming the file and the first nesting alias line', async (t) => {
  const file = writeIn(tempDir(), 'bomb.yaml', bomb());
  const err = await t.throwsAsync(loadAppPipeline(file), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /bomb\.yaml:4: YAML aliases expand too much/);
  t.is(err?.exitCode, 2);
});

test('gramr validate on an alias bomb exits 2 with file and line', (t) => {
  const dir = tempDir();
  writeIn(dir, 'bomb.yaml', bomb());
  const r = cli(['validate', 'bomb.yaml'], dir);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /bomb\.yaml:4: YAML aliases expand too much/);
});

test('an alias bomb in a --set value is a ConfigError', async (t) => {
  const file = writeIn(tempDir(), 'p.yaml', `name: t\ndatasets:\n  pairs: { kind: jsonl, path: ${fixture} }\nstages:\n  - { stage: load, from: pairs, to: loaded }\n`);
  const value = `{a: &a [1,1,1,1,1,1,1,1,1,1,1], b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], c: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]}`;
  const err = await t.throwsAsync(loadAppPipeline(file, [`x-y=${value}`]), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /--set x-y=.*not valid YAML/);
});

test('ordinary anchors reused many times still load', async (t) => {
  const stages = Array.from({ length: 40 }, (_, i) => `  - { stage: load, id: l${i}, from: pairs, to: out${i}, <<: *opts }`).join('\n');
  const file = writeIn(tempDir(), 'p.yaml', `name: t\nx-opts: &opts { limit: 2 }\ndatasets:\n  pairs: { kind: jsonl, path: ${fixture} }\nstages:\n${stages}\n`);
  const p = await loadAppPipeline(file);
  t.is(p.stages.length, 40);
});
