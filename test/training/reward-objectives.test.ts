// The baselines' objectives through the trainers: GRAM v1's label-smoothed loss learns a label rule (held-out
// accuracy from the two label logits; the loss settles at the smoothing floor H(ε), not 0), and the Bradley–Terry
// head learns to prefer the right response of held-out pairs (scored by scoreResponses, full and LoRA).
import test from 'ava';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CausalLM } from '../../core/model/causal-lm.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import { mergedParams } from '../../core/training/lora-merge.js';
import { loadRewardHead, scoreResponses, type RewardHead } from '../../core/training/reward-head.js';
import { runTraining } from '../../core/training/run-training.js';
import { cleanup, context, cpu, labelTask, pairTask, tempDir, tinyBase } from './helpers.js';

test('label-smoothed (ε 0.05) learns the label rule; its loss stops at −0.95·ln 0.95 − 0.05·ln 0.05', async (t) => {
  const dir = await tempDir('ls');
  try {
    const base = await tinyBase(dir);
    const train = labelTask(160, 1), held = labelTask(40, 2);
    const report = await runTraining('full', { modelPath: base, train, evalSet: held, outDir: join(dir, 'out'),
      options: { objective: 'label-smoothed', lr: 3e-3, steps: 80, batchSize: 16, evalEvery: 40 } }, await context(1));
    const model = await CausalLM.load(report.checkpoint, await cpu());
    const tok = model.tokenizer!;
    const [a, b] = ['A', 'B'].map((x) => tok.encode(x, { addBos: false })[0]!);
    const logits = await model.forward(held.map((e) => tok.encode(e.prompt)));
    const right = held.filter((e, i) => { const l = logits[i]!.at(-1)!; return (l[a!]! > l[b!]! ? 'A' : 'B') === e.target; }).length;
    t.true(right / held.length >= 0.9, `held-out accuracy ${right / held.length}`);
    t.true(report.evals.at(-1)!.accuracy! >= 0.9);
    const floor = -0.95 * Math.log(0.95) - 0.05 * Math.log(0.05);
    t.true(report.evals[0]!.loss >= floor - 1e-4 && report.evals.at(-1)!.loss < floor + 0.05, `eval losses ${report.evals.map((e) => e.loss)} vs floor ${floor}`);
    model.dispose();
  } finally {
    await cleanup(dir);
  }
});

async function pairAccuracy(model: CausalLM, head: RewardHead, pairs: readonly { prompt: string; chosen: string; rejected: string }[]): Promise<number> {
  const r = await scoreResponses(model, head, pairs.flatMap((p) => [{ prompt: p.prompt, response: p.chosen }, { prompt: p.prompt, response: p.rejected }]), { batchSize: 16 });
  return pairs.filter((_, i) => r[2 * i]! > r[2 * i + 1]!).length / pairs.length;
}

test('Bradley–Terry head (full and LoRA) prefers the right response of held-out pairs; the head saves beside the checkpoint', async (t) => {
  const dir = await tempDir('bt');
  try {
    const base = await tinyBase(dir);
    const train = pairTask(120, 1), held = pairTask(40, 2);
    const be = await cpu();
    const untrained = await CausalLM.load(base, be);
    t.is(await pairAccuracy(untrained, { weight: new Float32Array(32), bias: 0 }, held), 0, 'a zero head ranks no pair right');
    untrained.dispose();
    const ctx = await context(1);
    const full = await runTraining('full', { modelPath: base, train, evalSet: held, outDir: join(dir, 'full'),
      options: { objective: 'bradley-terry', lr: 3e-3, steps: 40, batchSize: 16, evalEvery: 20 } }, ctx);
    // the zero-initialized head scores both rows alike at first: loss ln 2
    t.true(Math.abs(ctx.updates[0]!.metrics!.loss! - Math.LN2) < 1e-5, `first loss ${ctx.updates[0]!.metrics!.loss}`);
    t.true(full.finalLoss < 0.1, `final loss ${full.finalLoss}`);
    await t.notThrowsAsync(stat(join(full.checkpoint, 'reward_head.safetensors')));
    const head = await loadRewardHead(full.checkpoint);
    t.true(head.weight.some((x) => x !== 0));
    const model = await CausalLM.load(full.checkpoint, be);
    const acc = await pairAccuracy(model, head, held);
    t.true(acc >= 0.9, `full: held-out pair accuracy ${acc}`);
    t.true(full.evals.at(-1)!.accuracy! >= 0.9, JSON.stringify(full.evals));
    // scores are per item: the same response scores the same in any batch
    const [r1] = await scoreResponses(model, head, [{ prompt: held[0]!.prompt, response: held[0]!.chosen }]);
    const [, r2] = await scoreResponses(model, head, [{ prompt: held[1]!.prompt, response: held[1]!.rejected }, { prompt: held[0]!.prompt, response: held[0]!.chosen }]);
    t.true(Math.abs(r1! - r2!) < 1e-5);
    model.dispose();
    const lora = await runTraining('lora', { modelPath: base, train, outDir: join(dir, 'lora'),
      options: { objective: 'bradley-terry', lr: 1e-2, steps: 40, batchSize: 16, r: 4, targets: ['q_proj', 'v_proj'] } }, await context(1));
    const { config, params } = await mergedParams(base, lora.checkpoint, await loadTokenizer(base));
    const loraModel = CausalLM.fromParams(config, be, params, await loadTokenizer(base));
    const loraAcc = await pairAccuracy(loraModel, await loadRewardHead(lora.checkpoint), held);
    t.true(loraAcc >= 0.9, `lora: held-out pair accuracy ${loraAcc}`);
    loraModel.dispose();
  } finally {
    await cleanup(dir);
  }
});
