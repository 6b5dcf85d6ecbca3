// The runner: run folders, manifests, event logs, skipping unchanged stages, re-running changed ones,
// and the outside plugin loaded from a temporary folder outside the tree.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAppPipeline } from '../../cli/app.js';
import { runPipeline } from '../../core/pipeline/runner.js';
import { DEFAULT_BACKENDS } from '../../core/pipeline/backend-choice.js';
import { cli, repoRoot, tempDir, writeIn } from './helpers.js';

const fixture = path.join(repoRoot, 'test/fixtures/pipeline/pairs.jsonl');
const pipeline = `name: demo
seed: 3
backend: { prefer: [cpu] }
datasets:
  pairs: { kind: jsonl, path: ${fixture} }
stages:
  - stage: load
    from: pairs
    to: loaded
  - stage: dataset-stats
    inputs: [loaded]
    to: stats
`;

test('run writes stage folders with artifacts, manifest and events; a re-run skips; a change re-runs', async (t) => {
  const dir = tempDir();
  const file = writeIn(dir, 'p.yaml', pipeline);
  const runs = path.join(dir, 'runs');
  const r1 = await runPipeline(await loadAppPipeline(file), { runsDir: runs, progress: 'quiet' });
  t.deepEqual(r1.stages.map((s) => s.status), ['ran', 'ran']);
  t.is(r1.backend.name, 'cpu');
  const loaded = readFileSync(path.join(runs, 'demo/load/loaded.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string });
  t.deepEqual(loaded.map((r) => r.id), ['p1', 'p2', 'p3']);
  const m = JSON.parse(readFileSync(path.join(runs, 'demo/load/manifest.json'), 'utf8')) as Record<string, any>;
  t.is(m.status, 'complete');
  t.is(m.seed, 3);
  t.is(m.backend.name, 'cpu');
  t.is(m.outputs.loaded.records, 3);
  t.regex(m.outputs.loaded.hash, /^[0-9a-f]{64}$/);
  t.regex(m.inputs.pairs, /^[0-9a-f]{64}$/);
  t.truthy(m.versions.gramr && m.versions.node);
  t.true(m.timing.ms >= 0);
  const report = readFileSync(path.join(runs, 'demo/dataset-stats/stats/report.md'), 'utf8');
  t.regex(report, /\| loaded \| 3 \| 3 \| 66\.7% \| 33\.3% \|/);
  const events = readFileSync(path.join(runs, 'demo/load/events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  t.is(events[0].type, 'stage-start');
  t.is(events.at(-1)?.type, 'stage-end');
  t.false(existsSync(path.join(runs, 'demo/load/attempt.json')));

  const r2 = await runPipeline(await loadAppPipeline(file), { runsDir: runs, progress: 'quiet' });
  t.deepEqual(r2.stages.map((s) => s.status), ['skipped', 'skipped']);

  // Changing an option of the first stage changes its output, so both stages run again.
  const r3 = await runPipeline(await loadAppPipeline(file, ['stages[0].limit=2']), { runsDir: runs, progress: 'quiet' });
  t.deepEqual(r3.stages.map((s) => s.status), ['ran', 'ran']);
  t.regex(readFileSync(path.join(runs, 'demo/dataset-stats/stats/report.md'), 'utf8'), /\| loaded \| 2 \| 2 \|/);
  // Changing only the second stage's options leaves the first skipped.
  const r4 = await runPipeline(await loadAppPipeline(file, ['stages[0].limit=2', 'stages[1].groupBy=[domain]']), { runsDir: runs, progress: 'quiet' });
  t.deepEqual(r4.stages.map((s) => s.status), ['skipped', 'ran']);
});

test('an outside plugin is loaded from a folder outside the tree and its stage runs', async (t) => {
  const dir = tempDir('gramr-plugin-');
  const gramr = pathToFileURL(path.join(repoRoot, 'dist/core/index.js')).href;
  writeIn(dir, 'shout.mjs', `import { ContainerModule, contributeKind, z } from '${gramr}';
class Shout {
  kind = 'shout';
  inputs(o) { return [o.from]; }
  outputs(o) { return [{ name: o.to, kind: 'records' }]; }
  async run(o, ctx) {
    const w = await ctx.artifacts.recordWriter(o.to);
    let n = 0;
    for await (const r of ctx.artifacts.records(o.from)) { n++; await w.append({ ...r, prompt: r.prompt.toUpperCase() + o.suffix }); }
    return { metrics: { shouted: n } };
  }
}
export default new ContainerModule((options) => {
  contributeKind(options, 'shout-plugin', { point: 'Stage', kind: 'shout', description: 'upper-cases prompts',
    schema: z.object({ from: z.string(), to: z.string(), suffix: z.string().default('!') }).strict(), impl: () => new Shout() });
});
`);
  const file = writeIn(dir, 'p.yaml', `name: loud
plugins: [./shout.mjs]
datasets:
  pairs: { kind: jsonl, path: ${fixture} }
stages:
  - { stage: shout, from: pairs, to: loud, suffix: '?!' }
`);
  const r = await runPipeline(await loadAppPipeline(file), { runsDir: path.join(dir, 'runs'), progress: 'quiet' });
  t.is(r.stages[0].metrics.shouted, 3);
  const first = JSON.parse(readFileSync(path.join(dir, 'runs/loud/shout/loud.jsonl'), 'utf8').split('\n')[0]) as { prompt: string };
  t.is(first.prompt, 'WHAT IS 2+2??!');
});

test('a pipeline without backend: chooses like the commands (onnx, then cpu), prints the choice and records it', async (t) => {
  const dir = tempDir();
  writeIn(dir, 'p.yaml', pipeline.replace('backend: { prefer: [cpu] }\n', ''));
  const p = await loadAppPipeline(path.join(dir, 'p.yaml'));
  t.deepEqual(p.backendPrefer, [...DEFAULT_BACKENDS]);
  t.deepEqual(DEFAULT_BACKENDS, ['onnx', 'cpu']);
  const r = cli(['run', 'p.yaml', '--jobs', '1'], dir);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /^backend: onnx \[cpu provider, \d+ threads?\]$/m);
  t.regex(r.stdout, /^backend: onnx \[/m);
  const m = JSON.parse(readFileSync(path.join(dir, 'runs/demo/load/manifest.json'), 'utf8')) as { backend: { name: string } };
  t.is(m.backend.name, 'onnx');
});
