// stories260K (llama2.c's tiny Llama, interleaved RoPE, GQA, tied head) reproduces llama2.c run.c: prompt ids,
// last-position logits, greedy ids and text; the KV-cache path equals the no-cache path; programs are reused
// across decode steps; weights stay resident (only token ids are uploaded per step).
import test from 'ava';
import { CausalLM } from '../../core/model/causal-lm.js';
import { assertStoriesLogits, CountingCpuBackend, cpu, logSoftmax, maxDiff, REF, STORIES } from './helpers.js';

test('prompt encodes like run.c and the last-position logits match llama2.c to 1e-4', async (t) => {
  const model = await CausalLM.load(STORIES, await cpu());
  t.is(model.tokenizer?.kind, 'llama2c', 'tok512.bin next to the model is found');
  await assertStoriesLogits(t, model);
  model.dispose();
});

test('greedy generation of 60 tokens gives llama2.c ids and text, streaming the same text token by token', async (t) => {
  const model = await CausalLM.load(STORIES, await cpu());
  const streamed: string[] = [];
  const [r] = await model.generate(['Once upon a time'], { maxTokens: 60 }, (e) => { streamed.push(e.text); });
  t.deepEqual(r!.tokens, REF.greedy60);
  t.deepEqual(r!.promptIds, REF.promptIds);
  t.is(r!.finishReason, 'length');
  t.is('Once upon a time' + r!.text, REF.text60);
  t.is(streamed.join(''), r!.text);
  t.is(streamed.length, 61, 'one event per token plus the final one');
  model.dispose();
});

test('KV-cache generation equals generation without the cache (and reuses its programs)', async (t) => {
  const model = await CausalLM.load(STORIES, await cpu());
  const prompts = ['Once upon a time', 'The little dog'];
  const cached = await model.generate(prompts, { maxTokens: 40 });
  const compiles = model.stats.compiles;
  // prefill + decode for buckets 16, 32, 64 + two growths: programs per bucket, not per token
  t.true(compiles <= 7, `compiled ${compiles} programs for 40 tokens`);
  const again = await model.generate(prompts, { maxTokens: 40 });
  t.is(model.stats.compiles, compiles, 'a second generation compiles nothing');
  t.deepEqual(again.map((r) => r.tokens), cached.map((r) => r.tokens));
  const plain = await model.generate(prompts, { maxTokens: 40, useCache: false });
  t.deepEqual(plain.map((r) => r.tokens), cached.map((r) => r.tokens));
  t.deepEqual(plain.map((r) => r.text), cached.map((r) => r.text));
  t.is(cached[0]!.tokens.join(' '), REF.greedy60.slice(0, 40).join(' '), 'batching does not change row 0');
  model.dispose();
});

test('weights are uploaded once: a generation uploads only token ids and positions, and frees what it allocates', async (t) => {
  const be = new CountingCpuBackend();
  await be.init();
  const uploads = be.uploads;
  const model = await CausalLM.load(STORIES, be);
  const atLoad = uploads.reduce((a, b) => a + b, 0);
  t.true(atLoad >= 264128 - 2 * 512 * 4, `uploaded ${atLoad} weight values at load`);
  uploads.length = 0;
  const live = be.memory().buffers;
  await model.generate(['Once upon a time'], { maxTokens: 30 });
  t.true(uploads.length > 0 && uploads.every((n) => n <= 16), `per-run uploads: ${uploads.join(',')}`);
  t.is(be.memory().buffers, live, 'no buffer leaks across a generation');
  model.dispose();
  t.is(be.memory().buffers, 0);
});

test('logprobs of the greedy continuation equal log_softmax of forward logits; text requests encode like ids', async (t) => {
  const model = await CausalLM.load(STORIES, await cpu());
  const cont = REF.greedy60.slice(0, 12);
  const [rows] = await model.forward([[...REF.promptIds, ...cont]]);
  const want = cont.map((id, j) => logSoftmax(rows![REF.promptIds.length - 1 + j]!)[id]!);
  const [byIds, byText] = await model.logprobs([
    { prompt: REF.promptIds, continuation: cont },
    { prompt: 'Once upon a time', continuation: 'Lily' },
  ]);
  t.true(maxDiff(byIds!.logprobs, want) <= 1e-4);
  t.true(want.every((x) => x < 0 && x > -3), 'greedy tokens are likely');
  const ids = model.tokenizer!.encode('Lily', { addBos: false });
  const [again] = await model.logprobs([{ prompt: REF.promptIds, continuation: ids }]);
  t.deepEqual(byText, again);
  model.dispose();
});
