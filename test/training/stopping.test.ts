// How training stops and what it warns about: divergence (a huge learning rate) stops with the step number and the
// result is the last good checkpoint; early stopping after `patience` evaluations without improvement, with the best
// weights restored; a one-class dataset and examples dropped by the length rule are flagged in report and log.
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCheckpoint } from '../../core/model/checkpoint/load-checkpoint.js';
import { paramsFromWeights } from '../../core/model/decoder-weights.js';
import { loadLatestCheckpoint } from '../../core/training/checkpoint-store.js';
import { runTraining } from '../../core/training/run-training.js';
import { additionTask, cleanup, context, labelTask, tempDir, tinyBase } from './helpers.js';

async function resultParams(dir: string): Promise<Record<string, Float32Array>> {
  const ckpt = await loadCheckpoint(dir);
  return Object.fromEntries(Object.entries(paramsFromWeights(ckpt.config, ckpt.weights)).map(([k, v]) => [k, v.data]));
}

test('divergence stops with the step number; the result is the last good checkpoint (finite), none is written after it', async (t) => {
  const dir = await tempDir('nan');
  try {
    const base = await tinyBase(dir);
    const ctx = await context(1);
    const out = join(dir, 'out');
    const report = await runTraining('full', { modelPath: base, train: additionTask().train, outDir: out, options: { lr: 1e5, warmup: 10, clip: 0, steps: 30, checkpointEvery: 3 } }, ctx);
    t.is(report.stopReason, 'diverged');
    const at = report.divergedAtStep!;
    t.true(at > 3 && at < 30, `diverged at ${at}`);
    t.is(report.steps, at - 1);
    t.true(ctx.logs.some((l) => l.startsWith(`diverged at step ${at}:`)), ctx.logs.join('\n'));
    const good = Math.floor((at - 1) / 3) * 3;
    t.deepEqual((await readdir(join(out, 'checkpoints'))).filter((n) => n.startsWith('step-')), [`step-${String(good).padStart(8, '0')}`]);
    const last = (await loadLatestCheckpoint(out, 'step'))!;
    t.is(last.state.step, good);
    const result = await resultParams(report.checkpoint);
    for (const [name, data] of Object.entries(last.weights)) {
      t.deepEqual(result[name], data, name);
      t.true(data.every(Number.isFinite), name);
    }
  } finally {
    await cleanup(dir);
  }
});

test('early stopping after `patience` evaluations without improvement restores the best weights', async (t) => {
  const dir = await tempDir('early');
  try {
    const base = await tinyBase(dir);
    const { train, held } = additionTask();
    const out = join(dir, 'out');
    const ctx = await context(1);
    // minDelta 100: no later evaluation can improve on the first, so the third evaluation stops the run
    const report = await runTraining('full', { modelPath: base, train, evalSet: held, outDir: out, options: { lr: 3e-3, steps: 40, evalEvery: 2, patience: 2, minDelta: 100 } }, ctx);
    t.is(report.stopReason, 'early-stop');
    t.is(report.steps, 6);
    t.deepEqual(report.evals.map((e) => e.step), [2, 4, 6]);
    t.is(report.bestStep, 2);
    t.is(report.bestEvalLoss, report.evals[0]!.loss);
    t.true(report.evals[2]!.loss < report.evals[0]!.loss, 'the loss still fell; only minDelta kept it from counting');
    t.true(ctx.logs.some((l) => l.startsWith('early stop at step 6')));
    const best = (await loadLatestCheckpoint(out, 'best'))!;
    const final = (await loadLatestCheckpoint(out, 'step'))!;
    t.is(best.state.step, 2);
    t.is(final.state.step, 6);
    const result = await resultParams(report.checkpoint);
    const name = 'model.layers.0.mlp.down_proj.weight';
    t.deepEqual(result[name], best.weights[name]);
    t.notDeepEqual(result[name], final.weights[name]);
  } finally {
    await cleanup(dir);
  }
});

test('a one-class dataset and length-rule drops are flagged in the report and the progress log', async (t) => {
  const dir = await tempDir('warn');
  try {
    const base = await tinyBase(dir);
    const train = Array.from({ length: 6 }, (_, i) => ({ id: `g${i}`, prompt: `pair ${i}: `, target: `<think>first is better</think><answer> A </answer>` }));
    train.push({ id: 'huge', prompt: 'x', target: 'y'.repeat(80) });
    const ctx = await context(1);
    const report = await runTraining('full', { modelPath: base, train, outDir: join(dir, 'sft'), options: { steps: 2, maxLength: 64 } }, ctx);
    t.is(report.warnings.length, 2);
    t.regex(report.warnings[0]!, /^one-class dataset: all 6 labelled training examples have label "A"/);
    t.regex(report.warnings[1]!, /^1 training example\(s\) dropped by the length rule \(maxLength 64\): "huge" \(the target alone has 81 tokens/);
    t.deepEqual(report.truncated, { shortened: 0, dropped: 1 });
    t.true(ctx.logs.includes(`warning: ${report.warnings[0]}`));
    // label-smoothed with both labels named but only one present
    const oneLabel = labelTask(20, 3).map((e) => ({ ...e, target: 'B' }));
    const ls = await runTraining('full', { modelPath: base, train: oneLabel, outDir: join(dir, 'ls'), options: { objective: 'label-smoothed', labels: ['A', 'B'], steps: 2 } }, await context(1));
    t.regex(ls.warnings[0]!, /one-class dataset: all 20 labelled training examples have label "B"/);
    // without the labels option the other label is unknown: a clear error
    await t.throwsAsync(runTraining('full', { modelPath: base, train: oneLabel, outDir: join(dir, 'ls2'), options: { objective: 'label-smoothed', steps: 2 } }, await context(1)),
      { message: /every training target is "B" \(one class\); set options\.labels/ });
    // a balanced set is not flagged
    const balanced = await runTraining('full', { modelPath: base, train: labelTask(20, 4), outDir: join(dir, 'ok'), options: { objective: 'label-smoothed', steps: 2 } }, await context(1));
    t.deepEqual(balanced.warnings, []);
  } finally {
    await cleanup(dir);
  }
});
