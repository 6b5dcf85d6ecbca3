// Training on the ONNX backend: bench/bench-model.ts's small Llama-style model trained 20 AdamW steps on the CPU
// reference and on ONNX (test/tensor/train-compare.ts), each step one session run; losses, gradient norms, weights
// and AdamW moments must agree, and live buffers stay flat.
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { OnnxBackend } from '../../backends/onnx/onnx-backend.js';
import { assertTrainingMatches, trainSteps } from '../tensor/train-compare.js';

test('20 AdamW steps on ONNX match the CPU reference; each step is one session run', async (t) => {
  const onnx = new OnnxBackend({ threads: 1 });
  const [ref, got] = [await trainSteps(new CpuBackend()), await trainSteps(onnx)];
  t.is(onnx.sessionCount, 1, 'forward + backward + clipping + AdamW compile into one session');
  assertTrainingMatches(t, 'onnx', got, ref);
  onnx.dispose();
});
