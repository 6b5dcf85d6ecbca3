// Training on the ONNX backend: a small Llama-style model (bench/bench-model.ts: embedding, RMSNorm, RoPE,
// causal attention, SwiGLU, cross-entropy) trained 20 AdamW steps on the CPU reference and on ONNX, each step
// one session run; losses, gradient norms, weights and AdamW moments must agree, and live buffers stay flat.
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { OnnxBackend } from '../../backends/onnx/onnx-backend.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import type { HostArray } from '../../core/tensor/dtype.js';
import { AdamW } from '../../core/tensor/optim/adamw.js';
import { cosineSchedule } from '../../core/tensor/optim/schedule.js';
import { TrainStep, type StepResult } from '../../core/tensor/train-step.js';
import { benchBatch, benchLoss, initBenchParams, type BenchModelConfig } from '../../bench/bench-model.js';

const MODEL: BenchModelConfig = { vocab: 32, hidden: 16, layers: 2, heads: 2, intermediate: 24, seq: 8, batch: 2 };
const STEPS = 20;

interface Run { results: StepResult[]; params: Record<string, HostArray>; state: Record<string, HostArray>; buffers: number[]; sessions?: number }

async function train(backend: ComputeBackend): Promise<Run> {
  await backend.init();
  const trainer = new TrainStep({
    backend, params: initBenchParams(MODEL, 7),
    batch: { ids: { shape: [MODEL.batch, MODEL.seq], dtype: 'i32' }, targets: { shape: [MODEL.batch, MODEL.seq], dtype: 'i32' } },
    loss: (p, b) => benchLoss(MODEL, p, b), optimizer: new AdamW({ weightDecay: 0.1 }),
    lr: cosineSchedule({ baseLr: 1e-2, warmupSteps: 3, totalSteps: STEPS }), clipNorm: 1,
  });
  const batches = [benchBatch(MODEL, 1), benchBatch(MODEL, 2), benchBatch(MODEL, 3)];
  const results: StepResult[] = [], buffers: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    results.push(await trainer.step(batches[s % batches.length]!));
    buffers.push(backend.memory().buffers);
  }
  const run = { results, params: await trainer.readParams(), state: await trainer.readState(), buffers };
  trainer.dispose();
  return run;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (floor + Math.abs(b[i]!)));
  return worst;
}

test('20 AdamW steps on ONNX match the CPU reference; each step is one session run', async (t) => {
  const onnx = new OnnxBackend({ threads: 1 });
  const [ref, got] = [await train(new CpuBackend()), await train(onnx)];
  t.is(onnx.sessionCount, 1, 'forward + backward + clipping + AdamW compile into one session');
  t.true(ref.results[STEPS - 1]!.loss < ref.results[0]!.loss - 0.2, `the model learns (loss ${ref.results[0]!.loss} -> ${ref.results[STEPS - 1]!.loss})`);
  for (const [i, r] of got.results.entries()) {
    const w = ref.results[i]!;
    t.true(Math.abs(r.loss - w.loss) <= 1e-4 * Math.abs(w.loss), `step ${i + 1} loss: onnx ${r.loss}, cpu ${w.loss}`);
    t.true(Math.abs(r.gradNorm - w.gradNorm) <= 1e-3 * w.gradNorm, `step ${i + 1} grad norm: onnx ${r.gradNorm}, cpu ${w.gradNorm}`);
    t.is(r.lr, w.lr);
  }
  for (const name of Object.keys(ref.params)) {
    const d = maxRelDiff(got.params[name]!, ref.params[name]!, 1e-2);
    t.true(d < 2e-4, `weights '${name}' differ by ${d} (relative, floor 1e-2)`);
  }
  for (const key of Object.keys(ref.state)) {
    const scale = Math.max(...Array.from(ref.state[key]!, Math.abs));
    const d = maxRelDiff(got.state[key]!, ref.state[key]!, 0.05 * scale + 1e-12);
    t.true(d < 1e-3, `AdamW state '${key}' differs by ${d} (relative to 5% of its largest value)`);
  }
  t.true(got.buffers.every((n) => n === got.buffers[0]), `live buffers stay flat across steps: ${got.buffers.join(',')}`);
  onnx.dispose();
});
