// Stage `export`: a full checkpoint and a LoRA adapter (merged into its base first) become Hugging Face folders whose
// reloaded logits equal the source's exactly (the adapter: its merged parameters, which differ from the base's); an
// adapter given the wrong base is refused.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CausalLM } from '../../core/model/causal-lm.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import { mergedParams } from '../../core/training/lora-merge.js';
import { LoraTrainer } from '../../plugins/trainers/index.js';
import { cpuContext, createBackend, FIXTURE_DIR, tempDir } from './fixture-models.js';
import { pipeline, runIn } from './pipelines.js';

const PROBE = 'Which response is better?\nQ: Compute 12+3.\nA: 12+3=15. Answer: 15\nB: 12+3=16. Answer: 16';

async function logits(model: CausalLM, text: string): Promise<Float32Array[]> {
  try {
    return (await model.forward([model.tokenizer!.encode(text)]))[0]!.map((row) => Float32Array.from(row));
  } finally {
    model.dispose();
  }
}
const maxDiff = (a: Float32Array[], b: Float32Array[]): number => Math.max(...a.map((r, t) => Math.max(...r.map((x, v) => Math.abs(x - b[t]![v]!)))));

let adapterDir = '';
test.before(async () => {
  const dir = tempDir({ teardown: (fn) => process.once('exit', fn) });
  const grm = path.join(FIXTURE_DIR, 'grm');
  const report = await new LoraTrainer().train({
    modelPath: grm, outDir: path.join(dir, 'lora'),
    train: [{ id: 'x', prompt: 'Q: 1+1?', target: '2' }, { id: 'y', prompt: 'Q: 2+2?', target: '4' }],
    options: { steps: 3, lr: 0.05, batchSize: 2, maxLength: 64, warmup: 0, evalEvery: 0, r: 4, alpha: 8 },
  }, cpuContext());
  adapterDir = report.checkpoint;
});

test('a full checkpoint exports to an HF folder that reloads with bit-identical logits', async (t) => {
  const dir = tempDir(t);
  const r = await runIn(dir, pipeline('export', {}, '  - stage: export\n    model: grm\n    to: hf\n'));
  t.log(r.stages[0]!.summary);
  const out = path.join(r.runDir, 'export/hf');
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'gramr.json']) t.true(existsSync(path.join(out, f)), f);
  t.deepEqual(readFileSync(path.join(out, 'tokenizer.json')), readFileSync(path.join(FIXTURE_DIR, 'grm/tokenizer.json')));
  t.is(r.stages[0]!.metrics.maxAbsDiff, 0);
  t.is(r.stages[0]!.metrics.merged, 0);
  const backend = await createBackend();
  t.is(maxDiff(await logits(await CausalLM.load(out, backend), PROBE), await logits(await CausalLM.load(path.join(FIXTURE_DIR, 'grm'), backend), PROBE)), 0);
});

test('a LoRA adapter is merged into its base, and the export reloads with the merged logits (not the base\'s)', async (t) => {
  const dir = tempDir(t);
  const r = await runIn(dir, pipeline('export', {}, '  - stage: export\n    model: adapter\n    base: grm\n    to: hf\n', { adapter: adapterDir }));
  t.log(r.stages[0]!.summary);
  const out = path.join(r.runDir, 'export/hf');
  t.true(existsSync(path.join(out, 'config.json')) && !existsSync(path.join(out, 'adapter_config.json')));
  t.is(r.stages[0]!.metrics.merged, 1);
  t.is(r.stages[0]!.metrics.maxAbsDiff, 0);
  const backend = await createBackend();
  const grm = path.join(FIXTURE_DIR, 'grm');
  const { config, params } = await mergedParams(grm, adapterDir, await loadTokenizer(grm));
  const exported = await logits(await CausalLM.load(out, backend), PROBE);
  t.is(maxDiff(exported, await logits(CausalLM.fromParams(config, backend, params, await loadTokenizer(grm)), PROBE)), 0);
  const fromBase = maxDiff(exported, await logits(await CausalLM.load(grm, backend), PROBE));
  t.true(fromBase > 1e-4, `the adapter changes the logits (max |Δ| vs the base ${fromBase})`);
});

test('an adapter exported onto another base is refused', async (t) => {
  const dir = tempDir(t);
  const err = await t.throwsAsync(runIn(dir, pipeline('export', {}, '  - stage: export\n    model: adapter\n    base: prover\n    to: hf\n', { adapter: adapterDir })));
  t.regex(err!.message, /trained on a different base model/);
});
