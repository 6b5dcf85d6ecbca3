// Generation options on stories260K: stop strings (text cut, streaming holds back a possible stop string),
// seeded sampling, batching prompts of different lengths, maxTokens and the context limit, id prompts without a
// tokenizer, and clear errors.
import test from 'ava';
import { CausalLM } from '../../core/model/causal-lm.js';
import { smallConfig } from '../../core/model/scratch-init.js';
import { cpu, REF, STORIES } from './helpers.js';

const load = async (): Promise<CausalLM> => CausalLM.load(STORIES, await cpu());

test('a stop string ends the row and cuts the text before it; streamed text never shows part of it', async (t) => {
  const model = await load();
  const events: string[] = [];
  const [r] = await model.generate(['Once upon a time'], { maxTokens: 60, stop: ['Lily'] }, (e) => { events.push(e.text); });
  t.is(r!.text, ', there was a little girl named ');
  t.is(r!.finishReason, 'stop');
  t.deepEqual(r!.tokens, REF.greedy60.slice(0, r!.tokens.length), 'the tokens up to the stop are greedy');
  t.is(events.join(''), r!.text);
  t.false(events.some((e) => /L|Li|Lil/.test(e)), JSON.stringify(events));
  // A stop string that never appears changes nothing; one spanning tokens (" park.") is found too.
  const [none] = await model.generate(['Once upon a time'], { maxTokens: 20, stop: ['zebra'] });
  t.deepEqual(none!.tokens, REF.greedy60.slice(0, 20));
  const [park] = await model.generate(['Once upon a time'], { maxTokens: 60, stop: [' park.', 'red ball'] });
  t.is('Once upon a time' + park!.text, 'Once upon a time, there was a little girl named Lily. She loved to play outside in the');
  model.dispose();
});

test('sampling is reproducible by seed and differs across seeds; top-k 1 equals greedy', async (t) => {
  const model = await load();
  const run = async (seed: number, extra = {}): Promise<number[]> => (await model.generate(['Once upon a time'], { maxTokens: 24, temperature: 1, seed, ...extra }))[0]!.tokens;
  const a = await run(7);
  t.deepEqual(await run(7), a);
  t.notDeepEqual(await run(8), a);
  t.deepEqual(await run(3, { topK: 1 }), REF.greedy60.slice(0, 24));
  model.dispose();
});

test('prompts of different lengths batched (right-padded) generate what each generates alone', async (t) => {
  const model = await load();
  const prompts = ['Once upon a time', 'Tom', 'The sun was shining and the birds were singing in the big'];
  const batched = await model.generate(prompts, { maxTokens: 12 });
  for (const [i, p] of prompts.entries()) {
    const [alone] = await model.generate([p], { maxTokens: 12 });
    t.deepEqual(batched[i]!.tokens, alone!.tokens, p);
    t.is(batched[i]!.text, alone!.text);
  }
  model.dispose();
});

test('maxTokens, the context limit, id prompts without a tokenizer, and errors', async (t) => {
  const model = await load();
  const [zero] = await model.generate(['Once upon a time'], { maxTokens: 0 });
  t.deepEqual([zero!.tokens, zero!.finishReason], [[], 'length']);
  const [ids] = await model.generate([REF.promptIds], { maxTokens: 5 });
  t.deepEqual(ids!.tokens, REF.greedy60.slice(0, 5));
  await t.throwsAsync(model.generate(['x'], { topP: 2 }), { message: /topP must be in/ });
  model.dispose();

  const be = await cpu();
  const tiny = CausalLM.scratch(smallConfig({ vocabSize: 10, hiddenSize: 8, intermediateSize: 16, numLayers: 1, numHeads: 2, maxPositions: 20 }), be, 1);
  const long = Array.from({ length: 17 }, (_, i) => i % 10);
  const [r] = await tiny.generate([long], { maxTokens: 10, ignoreEos: true });
  t.is(r!.tokens.length, 3, '17 prompt tokens + 3 reach the 20 positions');
  t.is(r!.finishReason, 'length');
  await t.throwsAsync(tiny.generate(['text']), { message: /prompt 0 is text but the model has no tokenizer/ });
  await t.throwsAsync(tiny.generate([[1]], { stop: ['x'] }), { message: /stop strings need a tokenizer/ });
  await t.throwsAsync(tiny.generate([Array.from({ length: 21 }, () => 1)]), { message: /21 tokens; the model attends over at most 20/ });
  await t.throwsAsync(tiny.generate([[1, 10]]), { message: /token id 10 \(row 0, position 1\) is outside the vocabulary \[0, 10\)/ });
  tiny.dispose();
  t.is(be.memory().buffers, 0);
});
