// Models on the WebGPU backend: the PyTorch parity fixtures (Llama, Qwen2, Qwen3: logits and greedy ids, batched,
// with and without the KV cache) and stories260K's greedy continuation equal to llama2.c run.c's, with the weights
// resident on the device and only the weights left allocated after generation.
import test, { type ExecutionContext } from 'ava';
import { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { assertParity, assertStoriesGreedy, assertStoriesLogits, PARITY_ARCHS, STORIES, STORIES_TOK } from '../model/helpers.js';
import { gatedTest, webgpuSkipReason } from './webgpu-available.js';

const skip = await webgpuSkipReason();
const gpuTest = (title: string, fn: (t: ExecutionContext) => Promise<void>): void => gatedTest(skip, title, fn);
const backend = new WebGpuBackend();
if (!skip) {
  test.before(async () => { await backend.init(); });
  test.after.always(() => { backend.dispose(); });
}

for (const arch of PARITY_ARCHS) {
  gpuTest(`${arch}: logits within 1e-4 of torch and torch's greedy ids, batched, with and without the cache`, (t) => assertParity(t, arch, backend));
}

gpuTest('stories260K: last-position logits match llama2.c to 1e-4; 60 greedy tokens give run.c\'s ids and text', async (t) => {
  const own = new WebGpuBackend(); // alone on it, so its live buffers can be counted
  await own.init();
  const model = await CausalLM.load(STORIES, own, { tokenizer: STORIES_TOK });
  await assertStoriesLogits(t, model);
  await assertStoriesGreedy(t, model);
  t.is(own.memory().buffers, Object.keys(model.params).length + (model.config.tieWordEmbeddings ? 1 : 0), 'only the weights (and the tied head) stay allocated');
  model.dispose();
  t.is(own.memory().buffers, 0, 'nothing is left after dispose');
  own.dispose();
});
