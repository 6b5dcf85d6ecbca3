// `--set` on `x-` anchor blocks: the override reaches both `*alias` uses and `<<: *alias` merges, a stage's own key
// still wins over a merged one, an override of one stage's aliased object changes that stage only, and an `x-`
// override that no alias carries is a ConfigError naming the key.
import test from 'ava';
import { loadAppPipeline } from '../../cli/app.js';
import { ConfigError } from '../../core/errors.js';
import { tempDir, writeIn } from './helpers.js';

const PIPELINE = `name: t
x-task: &task { kind: verifiable-math, family: columns, columns: { width: 3, minDigits: 2 } }
x-model: &model { scratch: { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 128 } }
x-trainer: &trainer { kind: full, batchSize: 4, lr: 0.003, steps: 10 }
x-unused: &unused { lr: 1 }
x-plain: { lr: 1 }
datasets:
  seed: { <<: *task, split: seed, count: 10 }
stages:
  - { stage: train-grm, id: a, from: seed, to: a, objective: rationale, init: *model, trainer: { <<: *trainer } }
  - { stage: train-grm, id: b, from: seed, to: b, objective: rationale, init: *model, trainer: { <<: *trainer, lr: 0.01 } }
`;

type GrmOptions = { trainer: { lr: number; batchSize: number }; init: { scratch: { ropeTheta?: number; layers: number } } };

async function load(sets: string[]): Promise<GrmOptions[]> {
  const file = writeIn(tempDir(), 'p.yaml', PIPELINE);
  const p = await loadAppPipeline(file, sets);
  return p.stages.map((s) => s.options as GrmOptions);
}

test('without overrides the anchors give what the file says', async (t) => {
  const [a, b] = await load([]);
  t.is(a.trainer.lr, 0.003);
  t.is(b.trainer.lr, 0.01);
  t.is(a.init.scratch.ropeTheta, undefined);
});

test('--set x-trainer.lr reaches stages that merge the anchor (<<: *trainer); a stage\'s own lr stays', async (t) => {
  const [a, b] = await load(['x-trainer.lr=0.006', 'x-trainer.batchSize=2']);
  t.is(a.trainer.lr, 0.006);
  t.is(a.trainer.batchSize, 2);
  t.is(b.trainer.lr, 0.01, 'stage b sets lr itself, which wins over the merged anchor');
  t.is(b.trainer.batchSize, 2);
});

test('--set x-model.scratch.ropeTheta reaches every *model alias', async (t) => {
  const [a, b] = await load(['x-model.scratch.ropeTheta=20']);
  t.is(a.init.scratch.ropeTheta, 20);
  t.is(b.init.scratch.ropeTheta, 20);
});

test('a whole anchor block replaced by --set keeps its anchor, so aliases see the new block', async (t) => {
  const [a] = await load(['x-trainer={kind: full, batchSize: 8, lr: 0.5, steps: 3}']);
  t.is(a.trainer.lr, 0.5);
  t.is(a.trainer.batchSize, 8);
});

test('an override of one stage\'s aliased object changes that stage only', async (t) => {
  const [a, b] = await load(['stages[0].init.scratch.layers=3']);
  t.is(a.init.scratch.layers, 3);
  t.is(b.init.scratch.layers, 1);
});

for (const [set, why] of [
  ['x-unused.lr=2', /--set x-unused\.lr: no stage would see it.*set the stages' own fields/],
  ['x-plain.lr=2', /--set x-plain\.lr: no stage would see it/],
  ['x-lora.maxLength=512', /--set x-lora\.maxLength: the pipeline has no "x-lora" block/],
] as const) {
  test(`--set ${set} changes nothing, so it is a ConfigError naming the key`, async (t) => {
    const err = await t.throwsAsync(load([set]), { instanceOf: ConfigError });
    t.regex(err?.message ?? '', why);
    t.regex(err?.message ?? '', /p\.yaml/);
    t.is(err?.exitCode, 2);
  });
}
