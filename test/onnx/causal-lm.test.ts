// CausalLM on the ONNX backend: weights baked into the programs as initializers, the parity fixtures' logits and
// greedy ids (batched, with and without the KV cache), stories260K's greedy continuation equal to llama2.c's,
// batched prompts equal to each alone, and the in-place cache: each decode step returns only the new rows.
import test from 'ava';
import { join } from 'node:path';
import { OnnxBackend } from '../../backends/onnx/onnx-backend.js';
import type { OnnxCompiledGraph } from '../../backends/onnx/onnx-backend.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { decodeRowsProgram, prefillProgram } from '../../core/model/decoder-programs.js';
import { KvCache } from '../../core/model/kv-cache.js';
import { assertParity, assertStoriesGreedy, maxDiff, PARITY, PARITY_ARCHS, parityExpected, STORIES, STORIES_TOK } from '../model/helpers.js';

const backend = new OnnxBackend({ threads: 1 });
test.before(async () => { await backend.init(); });

for (const arch of PARITY_ARCHS) {
  test(`${arch}: logits within 1e-4 of torch and torch's greedy ids, batched, with and without the cache`, async (t) => {
    await assertParity(t, arch, backend);
  });
}

test('weights are initializers of every program; decode steps return only the new rows and append them in place', async (t) => {
  const exp = parityExpected('llama');
  const model = await CausalLM.load(join(PARITY, 'llama'), backend);
  const c = model.config, batch = 2, length = 16;
  const prefill = model.program('t:prefill', (p) => prefillProgram(c, p, batch, 16, length)) as OnnxCompiledGraph;
  t.deepEqual(Object.keys(prefill.constants ?? {}).sort(), Object.keys(model.params).concat(c.tieWordEmbeddings ? ['lm_head.weight'] : []).sort());
  const graphInput = (name: string): string => `in${prefill.program.inputs.findIndex((i) => i.name === name)}_${name}`;
  t.deepEqual(prefill.lowered.model.inputs.map((i) => i.name).sort(), [graphInput('ids'), graphInput('last')].sort());
  const [first, ...caches] = await model.run(prefill, {}, {
    ids: { shape: [batch, 16], dtype: 'i32', data: model.padIds(exp.prompts.map((s) => s.slice(0, 2)), 16) },
    last: { shape: [batch], dtype: 'i32', data: [1, 1] },
  });
  const cache = new KvCache(backend, batch, length, caches);
  t.true(cache.appendable);
  let logits = await model.take(first!);
  const decode = model.program('t:decode-rows', (p) => decodeRowsProgram(c, p, batch, length));
  for (let pos = 2; pos <= 4; pos++) {
    exp.prompts.forEach((s, b) => t.true(maxDiff(logits.subarray(b * c.vocabSize, (b + 1) * c.vocabSize), exp.logits[b]![pos - 1]!) <= 1e-4, `row ${b} position ${pos - 1}`));
    const runs = model.stats.runs;
    const [out, rows] = await model.run(decode, cache.feeds(), {
      ids: { shape: [batch, 1], dtype: 'i32', data: exp.prompts.map((s) => s[pos]!) },
      start: { shape: [batch], dtype: 'i32', data: [pos, pos] },
    });
    t.is(model.stats.runs, runs + 1);
    t.deepEqual(rows!.shape, [batch, 2 * c.numLayers * c.numKvHeads, 1, c.headDim]);
    await cache.append(rows!, [pos, pos]);
    logits = await model.take(out!);
  }
  cache.dispose();
  model.dispose();
});

test('stories260K: greedy continuation equals llama2.c; batched prompts generate what each generates alone', async (t) => {
  const own = new OnnxBackend({ threads: 1 }); // alone on it, so its live buffers can be counted
  await own.init();
  const model = await CausalLM.load(STORIES, own, { tokenizer: STORIES_TOK });
  await assertStoriesGreedy(t, model);
  t.is(own.memory().buffers, Object.keys(model.params).length + 1, 'only the weights (and the tied head) stay allocated');
  const before = own.sessionCount;
  model.dispose();
  // Sessions embedding the freed weights are released with them; only the cache-growth programs (no weights) stay.
  t.true(own.sessionCount < before / 2, `${own.sessionCount} of ${before} sessions left`);
  t.true(own.sessionCount <= 5);
  own.dispose();
});
