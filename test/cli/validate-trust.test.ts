// `gramr validate` imports the plugins a pipeline file names, so their top-level code runs: the help says so,
// the plugin docs say so, and this test shows it happening (a plugin that writes a file when imported).
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli, repoRoot, tempDir, writeIn } from '../pipeline/helpers.js';

test('validate --help says that plugin code runs, and points to the docs', (t) => {
  const r = cli(['validate', '--help'], repoRoot);
  t.is(r.code, 0);
  t.regex(r.stdout.replace(/\s+/g, ' '), /imports the plugins the file names, so their top-level code runs with your privileges/);
  t.regex(r.stdout, /docs\/writing-a-plugin\.md/);
  const doc = readFileSync(path.join(repoRoot, 'docs/writing-a-plugin.md'), 'utf8');
  t.regex(doc, /## Plugins are code: what loading one means/);
  t.regex(doc.replace(/\s+/g, ' '), /`gramr validate FILE` imports every plugin the pipeline file names/);
});

test('validating a pipeline runs its plugins\' top-level code (as documented)', (t) => {
  const dir = tempDir();
  const gramr = pathToFileURL(path.join(repoRoot, 'dist/core/index.js')).href;
  writeIn(dir, 'side-effect.mjs', `import { writeFileSync } from 'node:fs';
import { ContainerModule } from '${gramr}';
writeFileSync(new URL('./ran.txt', import.meta.url), 'top-level code ran');
export default new ContainerModule(() => {});
`);
  writeIn(dir, 'p.yaml', `name: t\nplugins: [./side-effect.mjs]\ndatasets:\n  pairs: { kind: jsonl, path: ${path.join(repoRoot, 'test/fixtures/pipeline/pairs.jsonl')} }\nstages:\n  - { stage: load, from: pairs, to: loaded }\n`);
  const r = cli(['validate', 'p.yaml'], dir);
  t.is(r.code, 0, r.stderr);
  t.true(existsSync(path.join(dir, 'ran.txt')));
});
