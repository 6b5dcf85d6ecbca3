// Every pipeline in configs/ validates, and docs/config-reference.md matches what the schemas generate. Benchmark
// datasets without a path (their standard place: GRAMR_DATA) are validated on the shipped slices (test/fixtures/data)
// always, and on the full data folder when it is present. A config never names a data folder itself.
import test from 'ava';
import { parse } from 'yaml';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PlannedStage } from '../../core/pipeline/load-pipeline.js';
import { loadAppPipeline } from '../../cli/app.js';
import { initScratchCheckpoint } from '../../core/training/scratch-checkpoint.js';
import { cli, repoRoot, tempDir } from '../pipeline/helpers.js';
import { FIXTURE_DATA, wholeSetTest } from '../test-data.js';
import { BENCHMARK_KINDS } from '../../plugins/data-sources/benchmark-data.js';
import type { DataSource } from '../../core/data/data-source.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';

/** configs that name a user-supplied model: validated against a tiny random checkpoint in its place. */
const userModels: Record<string, string> = { 'gram-r2-real.yaml': 'models.base.path' };

const configs = readdirSync(path.join(repoRoot, 'configs')).filter((f) => /\.(ya?ml|json)$/.test(f));

test('configs/ is not empty', (t) => {
  t.true(configs.length > 0);
});

/** Datasets of a config that read a benchmark from its standard place (no `path`). */
function standardDatasets(file: string): string[] {
  const doc = parse(readFileSync(file, 'utf8')) as { datasets?: Record<string, { kind?: unknown; path?: unknown }> };
  return Object.entries(doc.datasets ?? {}).filter(([, d]) => (BENCHMARK_KINDS as readonly unknown[]).includes(d.kind) && d.path === undefined).map(([n]) => n);
}

/** Runs `fn` with GRAMR_DATA set to `folder` (tests of this file that use it run serially). */
async function withData<T>(folder: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env.GRAMR_DATA;
  process.env.GRAMR_DATA = folder;
  try { return await fn(); } finally { if (before === undefined) delete process.env.GRAMR_DATA; else process.env.GRAMR_DATA = before; }
}

test('no config names a data folder: benchmark sets come from their standard place', (t) => {
  for (const f of configs) t.notRegex(readFileSync(path.join(repoRoot, 'configs', f), 'utf8'), /shared\/data/, f);
});

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
  const standard = standardDatasets(path.join(repoRoot, 'configs', f));
  if (standard.length === 0) {
    test(`configs/${f} validates`, async (t) => { t.true(await validates(f, []) > 0); });
    continue;
  }
  test.serial(`configs/${f} validates (its ${standard.length} benchmark sets on the shipped slices)`, async (t) => {
    t.true(await withData(FIXTURE_DATA, () => validates(f, [])) > 0);
  });
  // The full data folder is where the product looks already (GRAMR_DATA, else the default data folder): no override.
  wholeSetTest(`configs/${f} validates on the full data folder`, async (t) => {
    t.true(await validates(f, []) > 0);
  });
}

test.serial('a benchmark set with no path reads its standard place: the loader fills in GRAMR_DATA/<set> and the source reads it', async (t) => {
  const p = await withData(FIXTURE_DATA, () => loadAppPipeline(path.join(repoRoot, 'configs/data-survey.yaml')));
  const rm = p.datasets.get('rm-bench')!;
  t.is((rm.options as { path: string }).path, path.join(FIXTURE_DATA, 'rm-bench'));
  const source = p.container.get<DataSource>('DataSource', rm.kind);
  let n = 0;
  for await (const r of source.read(rm.options, p.baseDir, defaultTaskContext())) n += (r as { id?: unknown }).id === undefined ? 0 : 1;
  t.true(n > 0, `${n} rm-bench records read from the slice`);
});

test.serial('a benchmark set with no path and no data anywhere is an error naming the dataset and what to do', async (t) => {
  const empty = tempDir('gramr-no-data-');
  const hub = process.env.HF_HUB_CACHE;
  process.env.HF_HUB_CACHE = empty; // and nothing pulled from the Hub
  t.teardown(() => { if (hub === undefined) delete process.env.HF_HUB_CACHE; else process.env.HF_HUB_CACHE = hub; });
  const err = await t.throwsAsync(withData(empty, () => validates('data-survey.yaml', [])));
  t.regex(err?.message ?? '', /datasets\.rm-bench\.path: none given, and no rm-bench data: not in .* run `gramr data pull rm-bench`/);
});

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
