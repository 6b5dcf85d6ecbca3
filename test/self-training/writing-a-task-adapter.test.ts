// docs/writing-a-task-adapter.md is executable: its adapter is compiled with tsc in a folder outside the tree (importing
// 'gramr' like an outside package), listed by `gramr plugins`, and its pipeline runs with the fixture GRM as the
// foundation model (smaller counts and steps via --set): the adapted model differs, the report has before/after numbers
// equal to the share of held-out pairs each model labels right (counted from its judgments), and the stage added the foundation model's gramr.json.
import test from 'ava';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { cli, repoRoot, writeIn } from '../pipeline/helpers.js';
import type { PreferencePair } from '../../core/data/records.js';
import { generateSplit, verifiableMathOptionsSchema } from '../../plugins/verifiable-math/index.js';
import { countCorrect, FIXTURE_DIR, tempDir } from './fixture-models.js';

/** Code blocks of a markdown file tagged ```lang file=NAME. */
function blocks(md: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of md.matchAll(/```\w+ file=(\S+)\n([\s\S]*?)```/g)) out.set(m[1]!, m[2]!);
  return out;
}

test('the swap-augment adapter compiles outside the tree, is listed, and adapts a GRM in a pipeline', async (t) => {
  const files = blocks(readFileSync(path.join(repoRoot, 'docs/writing-a-task-adapter.md'), 'utf8'));
  t.true(files.has('swap-augment.ts') && files.has('pipeline.yaml'));
  const dir = tempDir(t, 'gramr-doc-adapter-');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules/gramr'), 'dir');
  writeIn(dir, 'package.json', JSON.stringify({ type: 'module', private: true }));
  writeIn(dir, 'swap-augment.ts', files.get('swap-augment.ts')!);
  writeIn(dir, 'tsconfig.json', JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, experimentalDecorators: true,
      emitDecoratorMetadata: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(repoRoot, 'node_modules/@types')] },
    files: ['swap-augment.ts'],
  }));
  const tsc = spawnSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  t.is(tsc.status, 0, tsc.stdout + tsc.stderr);
  writeIn(dir, 'pipeline.yaml', files.get('pipeline.yaml')!);

  const listed = cli(['plugins', '--plugin', './swap-augment.js'], dir);
  t.regex(listed.stdout, /swap-augment +fine-tune on label-only targets, every pair also shown swapped/);
  const grm = path.join(FIXTURE_DIR, 'grm');
  const sets = [`models.grm.path=${grm}`, 'datasets.task.count=5', 'datasets.held.count=4', 'stages[0].adapter.steps=3',
    'stages[0].evaluator={kind: pairwise, position: none}', 'stages[0].evalJudge={maxTokens: 96}'].flatMap((s) => ['--set', s]);
  t.is(cli(['validate', 'pipeline.yaml', ...sets], dir).code, 0);
  // The adapter's options are checked by its own schema when the stage starts, before any work.
  const bad = cli(['run', 'pipeline.yaml', ...sets, '--set', 'stages[0].adapter.swapp=true'], dir);
  t.is(bad.code, 2, bad.stderr);
  t.regex(bad.stderr, /TaskAdapter "swap-augment" options are invalid:[\s\S]*swapp/);
  const run = cli(['run', 'pipeline.yaml', '--json', ...sets], dir);
  t.is(run.code, 0, run.stderr);
  const stageDir = path.join(dir, 'runs/adapt-measures/adapt');
  const report = JSON.parse(readFileSync(path.join(stageDir, 'grm-measures-report/report.json'), 'utf8')) as {
    adapterMetrics: { examples: number; steps: number }; before: { metrics: { accuracy: number } }; after: { metrics: { accuracy: number } };
  };
  t.like(report.adapterMetrics, { examples: 10, steps: 3 }, '5 pairs, each also swapped');
  t.notDeepEqual(readFileSync(path.join(stageDir, 'grm-measures/model.safetensors')), readFileSync(path.join(grm, 'model.safetensors')));
  const meta = JSON.parse(readFileSync(path.join(stageDir, 'grm-measures/gramr.json'), 'utf8')) as { objective: string; promptFormat: string; training: { init: string } };
  t.like(meta, { objective: 'rationale', promptFormat: 'compact' });
  t.regex(meta.training.init, /^adapt:swap-augment/);
  // Before and after: the share of the held-out pairs each model labels right, counted here from its own judgments.
  const held = [...generateSplit(verifiableMathOptionsSchema.parse({ split: 'adapt-test', count: 4 }))] as PreferencePair[];
  for (const [name, model, measured] of [['before', grm, report.before.metrics.accuracy], ['after', path.join(stageDir, 'grm-measures'), report.after.metrics.accuracy]] as const) {
    const c = await countCorrect(model, held);
    t.log(`${name}: ${c.correct} right, ${c.answered} answered of ${c.total}`);
    t.is(measured, c.correct / c.total, name);
  }
});
