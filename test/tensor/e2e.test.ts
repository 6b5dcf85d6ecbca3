// End to end: a one-block transformer (embedding, RMSNorm, RoPE, GQA attention, SwiGLU, tied head) learns a
// synthetic next-token task on the CPU backend in a few hundred AdamW steps; and an MLP learns to classify.
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { AdamW, Rng, TrainStep, cosineSchedule, noDecayOnNormsAndBiases } from '../../core/tensor/index.js';
import { mlpBatch, mlpLoss, mlpParams, transformerBatch, transformerLoss, transformerParams } from './tiny-models.js';

test('tiny transformer learns the arithmetic-sequence task (loss drops a lot)', async (t) => {
  const B = 16;
  const step = new TrainStep({
    backend: new CpuBackend(), params: transformerParams(1),
    batch: { tokens: { shape: [B, 8], dtype: 'i32' }, targets: { shape: [B, 8], dtype: 'i32' } },
    loss: transformerLoss, optimizer: new AdamW({ weightDecay: 0.01, groups: noDecayOnNormsAndBiases() }),
    lr: cosineSchedule({ baseLr: 0.02, warmupSteps: 20, totalSteps: 250, minLr: 0.002 }), clipNorm: 1,
  });
  const rng = new Rng(7);
  const losses: number[] = [];
  for (let i = 0; i < 250; i++) losses.push((await step.step(transformerBatch(rng, B))).loss);
  const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
  const last = losses.slice(-20).reduce((a, b) => a + b) / 20;
  // Chance is ln 8 = 2.08; the task's floor is ln(3)/7 = 0.16 (the step is unknown at the first position).
  t.true(first > 2, `initial loss ${first}`);
  t.true(last < 0.45, `final loss ${last} (initial ${first})`);
});

test('MLP classifier loss drops below a third of its start with AdamW', async (t) => {
  const step = new TrainStep({
    backend: new CpuBackend(), params: mlpParams(5), batch: { x: { shape: [32, 4] }, y: { shape: [32], dtype: 'i32' } },
    loss: mlpLoss, optimizer: new AdamW({ weightDecay: 0 }), lr: 0.02,
  });
  const rng = new Rng(2);
  let r = await step.step(mlpBatch(rng, 32));
  const start = r.loss;
  for (let i = 0; i < 300; i++) r = await step.step(mlpBatch(rng, 32));
  t.true(r.loss < start / 3, `loss ${start} -> ${r.loss}`);
});
