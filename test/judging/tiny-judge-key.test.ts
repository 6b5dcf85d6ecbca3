// The cached tiny judge is keyed by the built code it runs: the key covers TrainStep and CausalLM (and what they
// import), and a change to any file reached through the imports gives a new key.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { dependencyClosure, dependencyHash } from '../architecture/import-graph.js';
import { tinyJudgeKey, tinyJudgeSources } from './tiny-judge.js';

test('the tiny judge key covers the training and model code it runs', (t) => {
  const files = tinyJudgeSources().map((f) => f.split(sep).join('/'));
  for (const needed of ['core/tensor/train-step.js', 'core/model/causal-lm.js', 'core/model/decoder.js', 'backends/cpu/cpu-backend.js', 'core/tensor/optim/adamw.js']) {
    t.true(files.some((f) => f.endsWith(`/dist/${needed}`)), `${needed} is not among the ${files.length} files the key hashes`);
  }
  t.regex(tinyJudgeKey(), /^[0-9a-f]{64}$/);
  t.is(tinyJudgeKey(), tinyJudgeKey());
});

test('the key changes when a transitively imported file changes, and only then', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gramr-key-'));
  writeFileSync(join(dir, 'entry.js'), "import { step } from './train.js';\nexport const run = step;\n");
  writeFileSync(join(dir, 'train.js'), "export { model } from './model.js';\nexport const step = 1;\n");
  writeFileSync(join(dir, 'model.js'), 'export const model = 1;\n');
  writeFileSync(join(dir, 'unrelated.js'), 'export const x = 1;\n');
  const entry = join(dir, 'entry.js');
  t.deepEqual(dependencyClosure(entry), [entry, join(dir, 'model.js'), join(dir, 'train.js')]);
  const before = dependencyHash(entry);
  writeFileSync(join(dir, 'unrelated.js'), 'export const x = 2;\n');
  t.is(dependencyHash(entry), before);
  writeFileSync(join(dir, 'model.js'), 'export const model = 2;\n');
  const after = dependencyHash(entry);
  t.not(after, before);
  writeFileSync(join(dir, 'model.js'), 'export const model = 1;\n');
  t.is(dependencyHash(entry), before);
});
