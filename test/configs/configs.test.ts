// Every pipeline in configs/ validates, and docs/config-reference.md matches what the schemas generate.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPipeline } from '../../core/pipeline/load-pipeline.js';
import { initScratchCheckpoint } from '../../core/training/scratch-checkpoint.js';
import { cli, repoRoot, tempDir } from '../pipeline/helpers.js';

/** configs that name a user-supplied model: validated against a tiny random checkpoint in its place. */
const userModels: Record<string, string> = { 'gram-r2-real.yaml': 'models.base.path' };

const configs = readdirSync(path.join(repoRoot, 'configs')).filter((f) => /\.(ya?ml|json)$/.test(f));

test('configs/ is not empty', (t) => {
  t.true(configs.length > 0);
});

for (const f of configs) {
  test(`configs/${f} validates`, async (t) => {
    const sets: string[] = [];
    if (userModels[f]) {
      const dir = path.join(tempDir('gramr-tiny-base-'), 'base');
      await initScratchCheckpoint(dir, { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 256 }, 1);
      sets.push(`${userModels[f]}=${dir}`);
    }
    const p = await loadPipeline(path.join(repoRoot, 'configs', f), sets);
    t.true(p.stages.length > 0);
  });
}

test('configs/gram-r2-real.yaml without a model names the missing path', async (t) => {
  const err = await t.throwsAsync(loadPipeline(path.join(repoRoot, 'configs/gram-r2-real.yaml')));
  t.regex(err?.message ?? '', /models\.base\.path: path does not exist: \.\/models\/base/);
});

test('docs/config-reference.md is up to date (npm run docs:config regenerates it)', (t) => {
  const r = cli(['plugins', '--markdown'], repoRoot);
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(path.join(repoRoot, 'docs/config-reference.md'), 'utf8'), r.stdout);
});
