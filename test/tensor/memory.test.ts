// Memory: over 1,000 training steps of a tiny MLP the CPU backend's live and pooled buffer counters stay
// flat after warm-up, i.e. every intermediate, old parameter and old optimizer state is released.
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { AdamW, Rng, TrainStep, type MemoryCounters } from '../../core/tensor/index.js';
import { mlpBatch, mlpLoss, mlpParams } from './tiny-models.js';

test('1000 training steps keep live buffers and bytes flat', async (t) => {
  const backend = new CpuBackend();
  await backend.init();
  const before = backend.memory();
  const step = new TrainStep({
    backend, params: mlpParams(3), batch: { x: { shape: [16, 4] }, y: { shape: [16], dtype: 'i32' } },
    loss: mlpLoss, optimizer: new AdamW(), lr: 0.01, clipNorm: 1,
  });
  const rng = new Rng(11);
  let warm: MemoryCounters | undefined;
  const seen: MemoryCounters[] = [];
  for (let i = 1; i <= 1000; i++) {
    await step.step(mlpBatch(rng, 16));
    if (i === 5) warm = backend.memory();
    if (i % 100 === 0) seen.push(backend.memory());
  }
  // 3 params + 2 AdamW slots each = 9 buffers held between steps, nothing else.
  t.is(warm!.buffers, 9);
  t.is(warm!.bytes, (4 * 16 + 16 + 16 * 3) * 4 * 3);
  for (const m of seen) t.deepEqual(m, warm, 'counters after warm-up equal those at step 5');
  step.dispose();
  t.deepEqual({ buffers: backend.memory().buffers, bytes: backend.memory().bytes }, { buffers: before.buffers, bytes: before.bytes });
});

test('intermediates are released during a run: peak pool stays below the whole graph', async (t) => {
  const backend = new CpuBackend({ fused: false });
  const step = new TrainStep({
    backend, params: mlpParams(3), batch: { x: { shape: [16, 4] }, y: { shape: [16], dtype: 'i32' } },
    loss: mlpLoss, optimizer: new AdamW(), lr: 0.01,
  });
  await step.step(mlpBatch(new Rng(1), 16));
  const program = (step as unknown as { fusedStep: { program: { nodes: unknown[] } } }).fusedStep.program;
  // The pool only ever holds arrays that were simultaneously live; liveness keeps that well below the node count.
  t.true(backend.memory().pooledBuffers < program.nodes.length / 2, `${backend.memory().pooledBuffers} pooled vs ${program.nodes.length} nodes`);
  step.dispose();
});
