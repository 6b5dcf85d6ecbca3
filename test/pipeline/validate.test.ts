// Validation of pipeline files: every kind of bad input gets one clear message (file, path, what is valid)
// and exit code 2 before anything runs; nothing in runs/ is touched.
import test from 'ava';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadAppPipeline } from '../../cli/app.js';
import { ConfigError } from '../../core/errors.js';
import { cli, repoRoot, tempDir, writeIn } from './helpers.js';

const fixture = path.join(repoRoot, 'test/fixtures/pipeline/pairs.jsonl');

function pipelineText(extra = '', stageExtra = ''): string {
  return `name: t
backend: { prefer: [cpu] }
datasets:
  pairs: { kind: jsonl, path: ${fixture} }
stages:
  - stage: load
    from: pairs
    to: loaded${stageExtra}
  - stage: dataset-stats
    inputs: [loaded]
    to: stats
${extra}`;
}

async function configError(t: import('ava').ExecutionContext, text: string, sets: string[] = [], dir = tempDir()): Promise<string> {
  const file = writeIn(dir, 'p.yaml', text);
  const err = await t.throwsAsync(loadAppPipeline(file, sets), { instanceOf: ConfigError });
  return err?.message ?? '';
}

test('a valid pipeline loads with its plan', async (t) => {
  const dir = tempDir();
  const p = await loadAppPipeline(writeIn(dir, 'p.yaml', pipelineText()));
  t.deepEqual(p.stages.map((s) => [s.id, s.kind, s.inputs, s.outputs.map((o) => o.name)]), [
    ['load', 'load', ['pairs'], ['loaded']],
    ['dataset-stats', 'dataset-stats', ['loaded'], ['stats']],
  ]);
  t.deepEqual(p.backendPrefer, ['cpu']);
});

test('not YAML: names file, line and column', async (t) => {
  const msg = await configError(t, 'name: t\nstages: [\n  - {stage: load\n');
  t.regex(msg, /p\.yaml:\d+:\d+: not valid YAML/);
});

test('unknown top-level key: names it and lists valid keys', async (t) => {
  const msg = await configError(t, pipelineText('colour: blue\n'));
  t.regex(msg, /p\.yaml:12: colour: unknown key "colour"; valid keys: name, description, seed, plugins, backend, datasets, models, stages/);
});

test('unknown stage kind: names the path and the valid kinds', async (t) => {
  const msg = await configError(t, pipelineText('  - stage: teleport\n'));
  t.regex(msg, /stages\[2\]\.stage: unknown Stage kind "teleport"; valid kinds: .*dataset-stats.*load/);
});

test('unknown option of a stage: names stages[i].key and the valid keys', async (t) => {
  const msg = await configError(t, pipelineText('', '\n    threshold: 0.5'));
  t.regex(msg, /p\.yaml:\d+: stages\[0\]\.threshold: unknown key "threshold"; valid keys: from, to, limit/);
});

test('wrong type of an option names the path', async (t) => {
  const msg = await configError(t, pipelineText('', '\n    limit: lots'));
  t.regex(msg, /stages\[0\]\.limit: Invalid input: expected number, received string/);
});

test('unknown dataset kind and missing dataset path', async (t) => {
  const a = await configError(t, pipelineText().replace('kind: jsonl', 'kind: parquet'));
  t.regex(a, /datasets\.pairs\.kind: unknown DataSource kind "parquet"; valid kinds: .*jsonl/);
  const b = await configError(t, pipelineText().replace(fixture, '/nonexistent/pairs.jsonl'));
  t.regex(b, /datasets\.pairs\.path: path does not exist: \/nonexistent\/pairs\.jsonl/);
});

test('unknown backend and an input nobody produces', async (t) => {
  const a = await configError(t, pipelineText().replace('prefer: [cpu]', 'prefer: [tpu, cpu]'));
  t.regex(a, /backend\.prefer\[0\]: unknown backend "tpu"; valid backends: .*cpu/);
  const b = await configError(t, pipelineText().replace('inputs: [loaded]', 'inputs: [ghost]'));
  t.regex(b, /p\.yaml:10: stages\[1\]\.inputs\[0\]: stage "dataset-stats" reads "ghost", which is not a dataset, a model, or an output of an earlier stage; known: pairs, loaded/);
});

test('an artifact written twice names both writers and the keys', async (t) => {
  const a = await configError(t, pipelineText('  - { stage: load, id: again, from: pairs, to: loaded }\n'));
  t.regex(a, /p\.yaml:12: stages\[2\]\.to: stage "again" writes "loaded", which stage "load" \(stages\[0\]\.to\) already provides/);
  const b = await configError(t, pipelineText().replace('to: loaded', 'to: pairs').replace('[loaded]', '[pairs]'));
  t.regex(b, /stages\[0\]\.to: stage "load" writes "pairs", which dataset "pairs" \(datasets\.pairs\) already provides/);
});

test('artifact names must be one path segment: an output cannot leave the run folder', async (t) => {
  const dir = tempDir();
  const sub = path.join(dir, 'a/b/c');
  mkdirSync(sub, { recursive: true });
  writeIn(sub, 'p.yaml', pipelineText().replace('to: loaded', 'to: ../../../ESCAPED').replace('[loaded]', '[../../../ESCAPED]'));
  const msg = await configError(t, readFileSync(path.join(sub, 'p.yaml'), 'utf8'), [], sub);
  t.regex(msg, /stages\[0\]\.to: artifact name "\.\.\/\.\.\/\.\.\/ESCAPED" is not valid: use one path segment of letters, digits/);
  t.regex(msg, /stages\[1\]\.inputs\[0\]: artifact name "\.\.\/\.\.\/\.\.\/ESCAPED" is not valid/);
  const r = cli(['run', 'p.yaml'], sub);
  t.is(r.code, 2, r.stderr);
  t.deepEqual(readdirSync(dir), ['a'], 'nothing written outside');
  t.deepEqual(readdirSync(sub), ['p.yaml'], 'no run folder either');
  for (const bad of ['.hidden', 'a/b', 'x y', '']) {
    const m = await configError(t, pipelineText().replace('to: loaded', `to: "${bad}"`), [], tempDir());
    t.regex(m, /stages\[0\](\.to)?: artifact name ".*" is not valid/, bad);
  }
});

test('a plugin that fails to load is a config error naming it', async (t) => {
  const dir = tempDir();
  writeIn(dir, 'broken.js', 'export default 42;\n');
  writeIn(dir, 'throws.js', 'throw new Error("boom at import");\n');
  const a = await configError(t, `plugins: [./broken.js]\n${pipelineText()}`, [], dir);
  t.regex(a, /plugins\[0\]: plugin "\.\/broken\.js" must export an inversify ContainerModule/);
  const file = writeIn(dir, 'p.yaml', `plugins: [./throws.js]\n${pipelineText()}`);
  const err = await t.throwsAsync(loadAppPipeline(file), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /plugin "\.\/throws\.js" failed to load: boom at import/);
  const c = await configError(t, `plugins: [no-such-gramr-plugin-package]\n${pipelineText()}`, [], dir);
  t.regex(c, /plugin "no-such-gramr-plugin-package" failed to load/);
});

test('--set overrides values with types, and bad paths are errors', async (t) => {
  const dir = tempDir();
  const file = writeIn(dir, 'p.yaml', pipelineText());
  const p = await loadAppPipeline(file, ['stages[0].limit=2', 'seed=7']);
  t.is((p.stages[0].options as { limit: number }).limit, 2);
  t.is(p.seed, 7);
  const msg = await configError(t, pipelineText(), ['name.first=x']);
  t.regex(msg, /--set name\.first=x: "name" is a string, not an object or list/);
});

test('CLI: bad config exits 2 with one message and leaves runs/ untouched', (t) => {
  const dir = tempDir();
  writeIn(dir, 'bad.yaml', pipelineText('  - stage: teleport\n'));
  const r = cli(['run', 'bad.yaml'], dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /unknown Stage kind "teleport"/);
  t.false(existsSync(path.join(dir, 'runs')));
  const v = cli(['validate', 'bad.yaml'], dir);
  t.is(v.code, 2);
  writeIn(dir, 'good.yaml', pipelineText());
  const ok = cli(['validate', 'good.yaml'], dir);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /good\.yaml: valid \(2 stages, 1 datasets, 0 models\)/);
  t.false(existsSync(path.join(dir, 'runs')));
  t.deepEqual(readdirSync(dir).sort(), ['bad.yaml', 'good.yaml']);
});

test('CLI: usage errors exit 2, --version and --help exit 0', (t) => {
  const dir = tempDir();
  t.is(cli(['frobnicate'], dir).code, 2);
  t.is(cli(['run'], dir).code, 2);
  t.is(cli(['run', 'x.yaml', '--bogus'], dir).code, 2);
  const v = cli(['--version'], dir);
  t.is(v.code, 0);
  t.regex(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const h = cli(['run', '--help'], dir);
  t.is(h.code, 0);
  t.regex(h.stdout, /usage: gramr run FILE/);
  t.is(cli(['run', 'missing.yaml'], dir).code, 2);
});

test('backend options are validated against the backend kind\'s schema', async (t) => {
  const bad = await configError(t, pipelineText().replace('prefer: [cpu]', 'prefer: [cpu], options: { onnx: { provider: tpu } }'));
  t.regex(bad, /backend\.options\.onnx\.provider: Invalid option: expected one of "cpu"\|"webgpu"\|"cuda"/);
  const unknown = await configError(t, pipelineText().replace('prefer: [cpu]', 'prefer: [cpu], options: { quantum: {} }'));
  t.regex(unknown, /unknown ComputeBackend kind "quantum"; valid kinds: .*cpu.*onnx/);
  const dir = tempDir();
  const p = await loadAppPipeline(writeIn(dir, 'p.yaml', pipelineText().replace('prefer: [cpu]', 'prefer: [cpu], options: { onnx: { threads: 1 } }')));
  t.deepEqual(p.backendOptions, { onnx: { provider: 'cpu', threads: 1 } });
});
