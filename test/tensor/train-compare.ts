// Shared by the backend training tests (ONNX, WebGPU): trains bench/bench-model.ts's small Llama-style model (embedding,
// RMSNorm, RoPE, causal attention, SwiGLU, cross-entropy) for 20 AdamW steps on a backend, and compares a run with the
// CPU reference run: per-step loss and gradient norm, final weights and AdamW moments, flat live buffers.
import type { ExecutionContext } from 'ava';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import type { HostArray } from '../../core/tensor/dtype.js';
import { AdamW } from '../../core/tensor/optim/adamw.js';
import { cosineSchedule } from '../../core/tensor/optim/schedule.js';
import { TrainStep, type StepResult } from '../../core/tensor/train-step.js';
import { benchBatch, benchLoss, initBenchParams, type BenchModelConfig } from '../../bench/bench-model.js';

export const TRAIN_MODEL: BenchModelConfig = { vocab: 32, hidden: 16, layers: 2, heads: 2, intermediate: 24, seq: 8, batch: 2 };
export const TRAIN_STEPS = 20;

/** What one training run leaves. */
export interface TrainRun { results: StepResult[]; params: Record<string, HostArray>; state: Record<string, HostArray>; buffers: number[] }

/** Trains TRAIN_MODEL for TRAIN_STEPS steps on `backend` (initialized here) and reads everything back. */
export async function trainSteps(backend: ComputeBackend): Promise<TrainRun> {
  await backend.init();
  const m = TRAIN_MODEL;
  const trainer = new TrainStep({
    backend, params: initBenchParams(m, 7),
    batch: { ids: { shape: [m.batch, m.seq], dtype: 'i32' }, targets: { shape: [m.batch, m.seq], dtype: 'i32' } },
    loss: (p, b) => benchLoss(m, p, b), optimizer: new AdamW({ weightDecay: 0.1 }),
    lr: cosineSchedule({ baseLr: 1e-2, warmupSteps: 3, totalSteps: TRAIN_STEPS }), clipNorm: 1,
  });
  const batches = [benchBatch(m, 1), benchBatch(m, 2), benchBatch(m, 3)];
  const results: StepResult[] = [], buffers: number[] = [];
  for (let s = 0; s < TRAIN_STEPS; s++) {
    results.push(await trainer.step(batches[s % batches.length]!));
    buffers.push(backend.memory().buffers);
  }
  const run = { results, params: await trainer.readParams(), state: await trainer.readState(), buffers };
  trainer.dispose();
  return run;
}

/** Largest |a - b| / (floor + |b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (floor + Math.abs(b[i]!)));
  return worst;
}

/** Asserts that `got` (on `name`) matches the CPU reference run `ref` step by step and at the end. */
export function assertTrainingMatches(t: ExecutionContext, name: string, got: TrainRun, ref: TrainRun): void {
  const n = TRAIN_STEPS;
  t.true(ref.results[n - 1]!.loss < ref.results[0]!.loss - 0.2, `the model learns (loss ${ref.results[0]!.loss} -> ${ref.results[n - 1]!.loss})`);
  for (const [i, r] of got.results.entries()) {
    const w = ref.results[i]!;
    t.true(Math.abs(r.loss - w.loss) <= 1e-4 * Math.abs(w.loss), `step ${i + 1} loss: ${name} ${r.loss}, cpu ${w.loss}`);
    t.true(Math.abs(r.gradNorm - w.gradNorm) <= 1e-3 * w.gradNorm, `step ${i + 1} grad norm: ${name} ${r.gradNorm}, cpu ${w.gradNorm}`);
    t.is(r.lr, w.lr);
  }
  for (const key of Object.keys(ref.params)) {
    const d = maxRelDiff(got.params[key]!, ref.params[key]!, 1e-2);
    t.true(d < 2e-4, `weights '${key}' differ by ${d} (relative, floor 1e-2)`);
  }
  for (const key of Object.keys(ref.state)) {
    const scale = Math.max(...Array.from(ref.state[key]!, Math.abs));
    const d = maxRelDiff(got.state[key]!, ref.state[key]!, 0.05 * scale + 1e-12);
    t.true(d < 1e-3, `AdamW state '${key}' differs by ${d} (relative to 5% of its largest value)`);
  }
  t.true(got.buffers.every((b) => b === got.buffers[0]), `live buffers stay flat across steps: ${got.buffers.join(',')}`);
}
