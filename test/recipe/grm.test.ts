// train-grm with every objective on tiny scratch models and 1-step verifiable-math data (training sequences <= 256
// bytes; 512 positions leave the judge room to generate): each trainer path lowers its loss (the eval loss on the
// training set, first eval vs last), the model folder records its objective, judgeForModel judges with each of them
// and labels the training pairs right (answer rate and accuracy far above a constant or random judge), a one-class
// dataset is flagged, and a diverging run stops the stage naming the step while the last good weights stay in the
// stage folder.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DataRecord, RationaleExample } from '../../core/data/records.js';
import { ConfigError, WorkError } from '../../core/errors.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { judgeForModel } from '../../plugins/grm/judge-for-model.js';
import { readModelMeta } from '../../core/recipe/model-meta.js';
import { cpuBackend, tempDir, vmath } from './helpers.js';
import { pipelineText, runIn } from './pipeline-helpers.js';
import { ModelJudgeOpener } from '../../core/reward/judge-opener.js';

const oneStep = { difficulty: { maxSteps: 1 }, errorTypes: ['slipped-digit', 'wrong-operation', 'carry-error'] };
const train = vmath({ split: 'seed', count: 8, ...oneStep } as never) as RationaleExample[];
const heldOut = vmath({ split: 'test', count: 6, ...oneStep } as never);
const OBJECTIVES = ['rationale', 'label-only', 'gram-v1', 'bradley-terry'] as const;
const scratch = '{ scratch: { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 512 } }';
// Full-batch steps (batch = the 8 examples); the trainer evaluates the same 8 examples every `evalEvery` steps.
const trainer = (steps: number, lr = 0.01, evalEvery = 1): string => `{ steps: ${steps}, lr: ${lr}, batchSize: 8, maxLength: 256, buckets: 1, warmup: 0, evalEvery: ${evalEvery}, checkpointEvery: 1000 }`;
// Enough full-batch steps for each objective to learn the 8 training pairs (a generative GRM must also learn the
// output format); the judge then labels them right, far above what a constant or random judge does (see below).
const TRAINING: Record<(typeof OBJECTIVES)[number], { steps: number; evalEvery: number }> = {
  rationale: { steps: 150, evalEvery: 10 }, 'label-only': { steps: 150, evalEvery: 10 },
  'gram-v1': { steps: 60, evalEvery: 5 }, 'bradley-terry': { steps: 60, evalEvery: 5 },
};

/** Eval losses (on the training set, after every step) of a stage's trainer runs: gram-v1 has two. */
function lossRuns(stageDir: string): number[][] {
  return ['train-stage1', 'train'].filter((d) => existsSync(path.join(stageDir, d, 'report.json')))
    .map((d) => (JSON.parse(readFileSync(path.join(stageDir, d, 'report.json'), 'utf8')) as { evals: Array<{ loss: number }> }).evals.map((e) => e.loss));
}

let runDir = '';
test.before(async () => {
  const dir = tempDir({ teardown: (fn) => process.once('exit', fn) });
  const stages = OBJECTIVES.map((o) => `  - stage: train-grm
    id: grm-${o}
    from: train
    eval: train
    to: grm-${o}
    objective: ${o}
    init: ${scratch}
    trainer: ${trainer(TRAINING[o].steps, 0.01, TRAINING[o].evalEvery)}
    stage1: { steps: 6 }
`).join('');
  runDir = (await runIn(dir, pipelineText(dir, 'grm', { train: { kind: 'inline', records: train } }, stages))).runDir;
});

for (const objective of OBJECTIVES) {
  test(`train-grm ${objective}: the loss goes down, gramr.json records the objective, and judgeForModel judges with it`, async (t) => {
    const stageDir = path.join(runDir, `grm-${objective}`);
    const runs = lossRuns(stageDir);
    t.is(runs.length, objective === 'gram-v1' ? 2 : 1);
    for (const losses of runs) {
      t.log(`${objective}: eval loss ${losses[0]!.toFixed(4)} -> ${losses[losses.length - 1]!.toFixed(4)} (${losses.length} evals)`);
      // One eval every evalEvery steps and one after the last step (gram-v1's stage 1 runs 6 steps).
      const steps = objective === 'gram-v1' && losses === runs[0] ? 6 : TRAINING[objective].steps;
      t.is(losses.length, Math.ceil(steps / TRAINING[objective].evalEvery));
      t.true(losses[losses.length - 1]! < losses[0]!, `${objective}: final loss ${losses[losses.length - 1]} should be below the first ${losses[0]}`);
    }
    const modelDir = path.join(stageDir, `grm-${objective}`);
    const meta = (await readModelMeta(modelDir))!;
    t.like(meta, { role: 'grm', objective, promptFormat: 'compact', chat: 'auto', labelTokens: { A: 'A', B: 'B' } });
    t.is(existsSync(path.join(modelDir, 'reward_head.safetensors')), objective === 'bradley-terry');
    // A rationale target is ~90 tokens (byte tokenizer): 160 new tokens leave room for the think block and the answer.
    const judge = await judgeForModel(new ModelJudgeOpener(), modelDir, await cpuBackend(), { batchSize: 8, maxTokens: 160 });
    t.teardown(() => judge.dispose());
    t.is(judge.objective, objective);
    // The 8 training pairs (labels AABABAAB): a judge that always says A gets 5 right, a coin 7 or more with
    // probability 9/256, one that never answers 0. Held-out pairs are only checked for well-formed outcomes:
    // 8 examples teach a model this small nothing about arithmetic.
    const seen = await judge(train.map((p) => ({ prompt: p.prompt, a: p.a, b: p.b })), defaultTaskContext());
    const answered = seen.filter((o) => o.label !== undefined).length;
    const right = seen.filter((o, i) => o.label !== undefined && o.label === train[i]!.label).length;
    t.log(`${objective}: training pairs answered ${answered}/8, right ${right}/8`);
    t.deepEqual(train.map((p) => p.label).join(''), 'AABABAAB');
    t.true(answered >= 7, `${objective}: answered ${answered} of the 8 training pairs`);
    t.true(right >= 7, `${objective}: ${right} of the 8 training pairs right`);
    const batch = (heldOut as Array<{ prompt: string; a: string; b: string }>).map((p) => ({ prompt: p.prompt, a: p.a, b: p.b }));
    const out = await judge(batch, defaultTaskContext());
    t.is(out.length, batch.length);
    for (const o of out) {
      if (o.label === undefined) t.regex(o.noAnswer ?? '', /^(no-answer-tag|not-a-label|conflicting-answers)$/);
      else t.true(o.confidence === undefined || (o.confidence >= 0.5 - 1e-9 && o.confidence <= 1));
    }
    if (objective === 'gram-v1' || objective === 'bradley-terry') {
      t.true(out.every((o) => o.label !== undefined && o.confidence !== undefined), 'logit and reward judges always answer');
    }
    if (objective === 'bradley-terry') {
      // A scalar reward compares r(a) with r(b): swapping the responses flips the label, same confidence.
      const swapped = await judge(batch.map((p) => ({ prompt: p.prompt, a: p.b, b: p.a })), defaultTaskContext());
      out.forEach((o, i) => {
        t.is(swapped[i]!.label, o.label === 'A' ? 'B' : 'A');
        t.true(Math.abs(swapped[i]!.confidence! - o.confidence!) < 1e-5);
      });
    }
  });
}

test('a one-class dataset is flagged; a diverging run stops the stage with its step and keeps the last good weights', async (t) => {
  const dir = tempDir(t);
  const allA = train.map((r) => (r.label === 'A' ? r : { ...r, a: r.b, b: r.a, label: 'A' as const, rationale: r.rationale.replace(/ B is right\.$/, ' A is right.') }));
  const r = await runIn(dir, pipelineText(dir, 'one', { train: { kind: 'inline', records: allA as DataRecord[] } }, `  - stage: train-grm
    from: train
    to: grm
    objective: label-only
    init: ${scratch}
    trainer: ${trainer(1)}
`));
  t.is(r.stages[0]!.metrics.oneClass, 1);
  t.regex(r.stages[0]!.summary!, /WARNING: one-class data/);
  const events = readFileSync(path.join(r.runDir, 'train-grm', 'events.jsonl'), 'utf8');
  t.regex(events, /one-class data: all 8 examples of \\"train\\" are labeled A/);

  const err = await t.throwsAsync(runIn(dir, pipelineText(dir, 'nan', { train: { kind: 'inline', records: train } }, `  - stage: train-grm
    from: train
    to: grm
    objective: label-only
    init: ${scratch}
    trainer: ${trainer(5, 1e30)}
`), { file: 'nan.yaml' }), { instanceOf: WorkError });
  t.log(err!.message);
  t.regex(err!.message, /diverged \(non-finite loss\) at step \d+; the last good weights are kept in/);
  const kept = path.join(dir, 'runs/nan/train-grm/train/model');
  t.true(existsSync(path.join(kept, 'model.safetensors')), 'the trainer kept a checkpoint in the stage folder');
  t.false(existsSync(path.join(dir, 'runs/nan/train-grm/manifest.json')), 'the stage did not complete');
});

test('train-grm options are checked before any work: a generative objective with the gram-v1 prompt is refused', async (t) => {
  const dir = tempDir(t);
  const err = await t.throwsAsync(runIn(dir, pipelineText(dir, 'bad', { train: { kind: 'inline', records: train } }, `  - stage: train-grm
    from: train
    to: grm
    objective: rationale
    format: gram-v1
    init: ${scratch}
`)), { instanceOf: ConfigError });
  t.regex(err!.message, /stages\[0\]\.format/);
  t.regex(err!.message, /use compact or gram-r2, or objective gram-v1/);
  t.false(existsSync(path.join(dir, 'runs')));
});
