// Parity with PyTorch (scripts/make-parity-fixtures.py: plain-torch float64 forward of HF's Llama / Qwen2 / Qwen3
// code on small random checkpoints): batched, right-padded logits within 1e-4; greedy ids; log-probabilities of
// continuations equal log_softmax of the torch logits; KV-cache decode logits equal the full forward.
import test from 'ava';
import { join } from 'node:path';
import { CausalLM } from '../../core/model/causal-lm.js';
import { decodeProgram, prefillProgram } from '../../core/model/decoder-programs.js';
import { KvCache } from '../../core/model/kv-cache.js';
import { cpu, logSoftmax, maxDiff, PARITY, PARITY_ARCHS, parityExpected } from './helpers.js';

for (const arch of PARITY_ARCHS) {
  test(`${arch}: batched logits (rows of 7 and 4 tokens, right-padded) match torch within 1e-4`, async (t) => {
    const exp = parityExpected(arch);
    const model = await CausalLM.load(join(PARITY, arch), await cpu());
    const got = await model.forward(exp.prompts);
    exp.logits.forEach((rows, b) => rows.forEach((row, i) => {
      const d = maxDiff(got[b]![i]!, row);
      t.true(d <= 1e-4, `row ${b} position ${i}: max |diff| ${d}`);
    }));
    model.dispose();
  });

  test(`${arch}: greedy generation (batched, with and without cache) gives torch's ids`, async (t) => {
    const exp = parityExpected(arch);
    const model = await CausalLM.load(join(PARITY, arch), await cpu());
    for (const useCache of [true, false]) {
      const res = await model.generate(exp.prompts, { maxTokens: exp.greedy[0]!.length, ignoreEos: true, useCache });
      t.deepEqual(res.map((r) => r.tokens), exp.greedy, `useCache ${useCache}`);
    }
    model.dispose();
  });

  test(`${arch}: logprobs of continuations equal log_softmax of torch's logits (sum and per token)`, async (t) => {
    const exp = parityExpected(arch);
    const model = await CausalLM.load(join(PARITY, arch), await cpu());
    // Split each prompt after k tokens: the rest is the continuation, scored from the torch logits at k-1 ...
    const requests = exp.prompts.flatMap((ids, b) => [1, 3].map((k) => ({ b, k, prompt: ids.slice(0, k), continuation: ids.slice(k) })));
    const scores = await model.logprobs(requests, { batchSize: 3 });
    requests.forEach((r, i) => {
      const want = r.continuation.map((id, j) => logSoftmax(exp.logits[r.b]![r.k - 1 + j]!)[id]!);
      t.deepEqual(scores[i]!.tokens, r.continuation);
      t.true(maxDiff(scores[i]!.logprobs, want) <= 1e-4, `${JSON.stringify(scores[i]!.logprobs)} vs ${JSON.stringify(want)}`);
      t.true(Math.abs(scores[i]!.sum - want.reduce((a, x) => a + x, 0)) <= 1e-4 * want.length);
    });
    const empty = await model.logprobs([{ prompt: [1, 2], continuation: [] }]);
    t.deepEqual(empty, [{ tokens: [], logprobs: [], sum: 0 }]);
    model.dispose();
  });

  test(`${arch}: prefill + decode steps through the KV cache reproduce the full-sequence logits`, async (t) => {
    const exp = parityExpected(arch);
    const model = await CausalLM.load(join(PARITY, arch), await cpu());
    const c = model.config;
    const seqs = exp.prompts; // decode the tail of each row one token at a time after a 2-token prefill
    const batch = seqs.length, length = 16;
    const [first, ...caches] = await model.run(model.program('t:prefill', (p) => prefillProgram(c, p, batch, 16, length)), {}, {
      ids: { shape: [batch, 16], dtype: 'i32', data: model.padIds(seqs.map((s) => s.slice(0, 2)), 16) },
      last: { shape: [batch], dtype: 'i32', data: [1, 1] },
    });
    const cache = new KvCache(model.backend, batch, length, caches);
    let logits = await model.take(first!);
    const decode = model.program('t:decode', (p) => decodeProgram(c, p, batch, length));
    for (let pos = 2; pos <= 6; pos++) {
      for (let b = 0; b < batch; b++) {
        if (pos - 1 < seqs[b]!.length) t.true(maxDiff(logits.subarray(b * c.vocabSize, (b + 1) * c.vocabSize), exp.logits[b]![pos - 1]!) <= 1e-4, `row ${b} position ${pos - 1}`);
      }
      if (pos === 6) break;
      const [out, ...next] = await model.run(decode, cache.feeds(), {
        ids: { shape: [batch, 1], dtype: 'i32', data: seqs.map((s) => s[Math.min(pos, s.length - 1)]!) },
        start: { shape: [batch], dtype: 'i32', data: [pos, pos] },
      });
      cache.replace(next);
      logits = await model.take(out!);
    }
    cache.dispose();
    model.dispose();
  });
}

test('qwen2: generation stops at EOS (id 2 from config.json) unless told to ignore it', async (t) => {
  const exp = parityExpected('qwen2');
  const i = exp.greedy[1]!.indexOf(2);
  t.true(i > 0, 'the fixture emits EOS in row 1');
  const model = await CausalLM.load(join(PARITY, 'qwen2'), await cpu());
  const [a, b] = await model.generate(exp.prompts, { maxTokens: 8 });
  t.deepEqual(b!.tokens, exp.greedy[1]!.slice(0, i));
  t.is(b!.finishReason, 'eos');
  t.deepEqual(a!.tokens, exp.greedy[0]);
  t.is(a!.finishReason, 'length');
  model.dispose();
});
