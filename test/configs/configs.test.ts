// Every pipeline in configs/ validates, and docs/config-reference.md matches what the schemas generate.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPipeline } from '../../core/pipeline/load-pipeline.js';
import { cli, repoRoot } from '../pipeline/helpers.js';

const configs = readdirSync(path.join(repoRoot, 'configs')).filter((f) => /\.(ya?ml|json)$/.test(f));

test('configs/ is not empty', (t) => {
  t.true(configs.length > 0);
});

for (const f of configs) {
  test(`configs/${f} validates`, async (t) => {
    const p = await loadPipeline(path.join(repoRoot, 'configs', f));
    t.true(p.stages.length > 0);
  });
}

test('docs/config-reference.md is up to date (npm run docs:config regenerates it)', (t) => {
  const r = cli(['plugins', '--markdown'], repoRoot);
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(path.join(repoRoot, 'docs/config-reference.md'), 'utf8'), r.stdout);
});
