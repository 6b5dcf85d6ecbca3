// Every pipeline in configs/ validates, and docs/config-reference.md matches what the schemas generate. Dataset
// paths under ../shared/data are validated on the shipped slices (test/fixtures/data) always, and as written when
// the full data folder is present.
import test from 'ava';
import { parse } from 'yaml';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PlannedStage } from '../../core/pipeline/load-pipeline.js';
import { loadAppPipeline } from '../../cli/app.js';
import { initScratchCheckpoint } from '../../core/training/scratch-checkpoint.js';
import { cli, repoRoot, tempDir } from '../pipeline/helpers.js';
import { FIXTURE_DATA, wholeSetTest } from '../test-data.js';

/** configs that name a user-supplied model: validated against a tiny random checkpoint in its place. */
const userModels: Record<string, string> = { 'gram-r2-real.yaml': 'models.base.path' };

const configs = readdirSync(path.join(repoRoot, 'configs')).filter((f) => /\.(ya?ml|json)$/.test(f));

test('configs/ is not empty', (t) => {
  t.true(configs.length > 0);
});

/** `--set` overrides pointing each dataset path under shared/data at the same file or folder of the slices. */
function sliceOverrides(file: string): string[] {
  const doc = parse(readFileSync(file, 'utf8')) as { datasets?: Record<string, { path?: unknown }> };
  return Object.entries(doc.datasets ?? {}).flatMap(([name, d]) => {
    const m = typeof d.path === 'string' ? /(?:^|\/)shared\/data\/(.+)$/.exec(d.path) : undefined;
    return m ? [`datasets.${name}.path=${path.join(FIXTURE_DATA, m[1]!)}`] : [];
  });
}

/** Validates one config with `sets` plus, where it names a user-supplied model, a tiny random checkpoint. */
async function validates(f: string, sets: string[]): Promise<number> {
  if (userModels[f]) {
    const dir = path.join(tempDir('gramr-tiny-base-'), 'base');
    await initScratchCheckpoint(dir, { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 256 }, 1);
    sets.push(`${userModels[f]}=${dir}`);
  }
  return (await loadAppPipeline(path.join(repoRoot, 'configs', f), sets)).stages.length;
}

for (const f of configs) {
  const onSlices = sliceOverrides(path.join(repoRoot, 'configs', f));
  if (onSlices.length === 0) {
    test(`configs/${f} validates`, async (t) => { t.true(await validates(f, []) > 0); });
    continue;
  }
  test(`configs/${f} validates (its ${onSlices.length} shared-data paths on the shipped slices)`, async (t) => {
    t.true(await validates(f, onSlices) > 0);
  });
  wholeSetTest(`configs/${f} validates with its own data paths`, async (t) => { t.true(await validates(f, []) > 0); });
}

test('configs/gram-r2-real.yaml without a model names the missing path', async (t) => {
  const err = await t.throwsAsync(loadAppPipeline(path.join(repoRoot, 'configs/gram-r2-real.yaml')));
  t.regex(err?.message ?? '', /models\.base\.path: path does not exist: \.\/models\/base/);
});

test('docs/config-reference.md is up to date (npm run docs:config regenerates it)', (t) => {
  const r = cli(['plugins', '--markdown'], repoRoot);
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(path.join(repoRoot, 'docs/config-reference.md'), 'utf8'), r.stdout);
});

test('configs/gram-r2-study.yaml is the demo plus the structure-only ablation (same datasets, same stages otherwise)', async (t) => {
  const demo = await loadAppPipeline(path.join(repoRoot, 'configs/gram-r2-demo.yaml'));
  const study = await loadAppPipeline(path.join(repoRoot, 'configs/gram-r2-study.yaml'));
  t.deepEqual(study.datasets, demo.datasets);
  const ablation = new Set(['self-train-structure-only', 'eval-self-trained-structure-only']);
  const shape = (s: PlannedStage): unknown => ({ id: s.id, kind: s.kind, options: s.options });
  const keep = (s: PlannedStage): boolean => s.kind !== 'report' && !ablation.has(s.id);
  t.deepEqual(study.stages.filter(keep).map(shape), demo.stages.filter(keep).map(shape));
  t.deepEqual(study.stages.filter((s) => ablation.has(s.id)).map((s) => s.id), [...ablation]);
});
