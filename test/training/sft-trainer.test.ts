// The `full` trainer with the SFT objective learns single-digit addition well enough to answer held-out sums far
// above chance (a random model answers none), reports progress (steps, loss, tokens/s, ETA) and eval losses, writes
// a loadable HF checkpoint, and returns the saved report when asked again.
import test from 'ava';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CausalLM } from '../../core/model/causal-lm.js';
import { FullTrainer } from '../../plugins/trainers/index.js';
import { additionTask, cleanup, context, cpu, tempDir, tinyBase } from './helpers.js';

async function accuracy(path: string, examples: readonly { prompt: string; target: string }[]): Promise<number> {
  const model = await CausalLM.load(path, await cpu());
  try {
    const out = await model.generate(examples.map((e) => e.prompt), { maxTokens: 3 });
    return out.filter((r, i) => r.text === examples[i]!.target).length / examples.length;
  } finally {
    model.dispose();
  }
}

test('full SFT learns held-out single-digit sums; progress, evals and the checkpoint are reported', async (t) => {
  const dir = await tempDir('sft');
  try {
    const base = await tinyBase(dir);
    const { train, held } = additionTask();
    const before = await accuracy(base, held);
    const ctx = await context(1);
    const trainer = new FullTrainer();
    const options = { lr: 3e-3, steps: 300, batchSize: 16, evalEvery: 100, warmup: 0.05, checkpointEvery: 150 };
    const report = await trainer.train({ modelPath: base, train, evalSet: held, outDir: join(dir, 'out'), options }, ctx);
    t.is(report.stopReason, 'done');
    t.is(report.steps, 300);
    t.deepEqual(report.evals.map((e) => e.step), [100, 200, 300]);
    t.true(report.evals[2]!.loss < report.evals[0]!.loss && report.evals[0]!.loss < 2, JSON.stringify(report.evals));
    t.is(report.bestEvalLoss, Math.min(...report.evals.map((e) => e.loss)));
    t.true(report.finalLoss < 1, `final loss ${report.finalLoss}`);
    t.deepEqual(report.warnings, []);
    t.deepEqual(report.truncated, { shortened: 0, dropped: 0 });
    const after = await accuracy(report.checkpoint, held);
    // 19 possible sums: chance is about 5%; the untrained model answers none
    t.true(before <= 0.05, `untrained held-out accuracy ${before}`);
    t.true(after >= 0.25, `trained held-out accuracy ${after}`);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'training.json']) await t.notThrowsAsync(stat(join(report.checkpoint, f)), f);
    // progress: every step, with loss, tokens/s and ETA
    t.is(ctx.updates.length, 300);
    const last = ctx.updates[299]!;
    t.is(last.done, 300);
    t.is(last.total, 300);
    t.is(last.unit, 'steps');
    t.true(last.metrics!.tokensPerSecond! > 0 && last.metrics!.etaSeconds === 0 && ctx.updates[10]!.metrics!.etaSeconds! > 0);
    t.true(ctx.logs.some((l) => /^eval at step 100: loss/.test(l)));
    t.true(report.tokensPerSecond > 0);
    // asked again: the finished run's report comes back without training
    const again = await trainer.train({ modelPath: base, train, evalSet: held, outDir: join(dir, 'out'), options }, await context(1));
    t.deepEqual(again, JSON.parse(JSON.stringify(report)));
  } finally {
    await cleanup(dir);
  }
});
