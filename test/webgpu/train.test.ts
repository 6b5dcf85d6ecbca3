// Training on the WebGPU backend: 20 AdamW steps of bench/bench-model.ts's small Llama-style model (RMSNorm, RoPE,
// causal attention, SwiGLU, cross-entropy; forward + backward + clipping + AdamW in one program) match the CPU
// reference step by step (test/tensor/train-compare.ts); live buffers stay flat.
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';
import { assertTrainingMatches, trainSteps } from '../tensor/train-compare.js';
import { gatedTest, webgpuSkipReason } from './webgpu-available.js';

const skip = await webgpuSkipReason();
gatedTest(skip, '20 AdamW steps on WebGPU match the CPU reference', async (t) => {
  const gpu = new WebGpuBackend();
  const [ref, got] = [await trainSteps(new CpuBackend()), await trainSteps(gpu)];
  assertTrainingMatches(t, 'webgpu', got, ref);
  gpu.dispose();
});
