// Continuous batching with a shared prefix (core/model/continuous-batch.ts) on stories260K, a real trained model:
// every row generates exactly what generate() gives it alone (greedy and seeded sampling, stop strings ending rows
// at different steps, slots refilled and compacted), on the cpu reference and on onnx; the shared prefix is
// prefilled once and kept across calls; and clear errors.
import test from 'ava';
import { OnnxBackend } from '../../backends/onnx/index.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { commonPrefixLength, ContinuousBatcher, slotCacheLength } from '../../core/model/continuous-batch.js';
import type { GenerateOptions, GenerationResult } from '../../core/model/generate.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { cpu, maxDiff, STORIES } from './helpers.js';

const HEAD = 'Once upon a time, there was a little girl named Lily. She loved to play';
const PROMPTS = [HEAD + ' outside.', HEAD + ' with her dog', HEAD + ' in the big park with her friends. One day', HEAD, HEAD + ' ball', HEAD + ' with toys. One day, her mom'];
const OPTIONS: GenerateOptions = { maxTokens: 40, stop: ['.'] };

const same = (a: GenerationResult[], b: GenerationResult[]): boolean => JSON.stringify(a) === JSON.stringify(b);

async function alone(model: CausalLM, prompts: readonly string[], options: GenerateOptions): Promise<GenerationResult[]> {
  const out: GenerationResult[] = [];
  for (const [i, p] of prompts.entries()) {
    const rowSeeds = options.rowSeeds ? [options.rowSeeds[i]!] : undefined;
    out.push((await model.generate([p], { ...options, ...(rowSeeds ? { rowSeeds } : {}) }))[0]!);
  }
  return out;
}

for (const [name, make] of [['cpu', cpu], ['onnx', async (): Promise<ComputeBackend> => { const b = new OnnxBackend(); await b.init(); return b; }]] as const) {
  test(`${name}: every row generates what it generates alone, whatever the slots (greedy, rows ending at different steps)`, async (t) => {
    const model = await CausalLM.load(STORIES, await make());
    const ref = await alone(model, PROMPTS, OPTIONS);
    t.true(new Set(ref.map((r) => r.tokens.length)).size >= 4, `rows end at different steps: ${ref.map((r) => r.tokens.length).join(', ')}`);
    t.true(ref.every((r) => r.finishReason === 'stop'));
    for (const slots of [1, 2, 3, 8]) {
      const cb = new ContinuousBatcher(model, { slots });
      const got = await cb.generate(PROMPTS, OPTIONS);
      t.true(same(got, ref), `${slots} slots: ${JSON.stringify(got.map((r) => r.text))}`);
      const s = cb.stats;
      t.is(s.prefixBuilds, 1);
      t.is(s.prefixTokensReused + s.suffixTokens, ref.reduce((n, r) => n + r.promptIds.length, 0), 'every prompt token is either shared or computed');
      t.is(s.liveSlotSteps, ref.reduce((n, r) => n + r.tokens.length, 0) - PROMPTS.length, 'each row decodes once per token after its first');
      if (slots === 2) t.true(s.slotSteps <= s.liveSlotSteps + 1, `two slots are refilled as rows end: ${JSON.stringify(s)}`);
      if (slots === 8) t.true(s.compactions >= 1 && s.slotSteps < PROMPTS.length * s.decodeSteps, `the drained batch shrinks: ${JSON.stringify(s)}`);
    }
    model.dispose();
  });
}

test('seeded sampling: each row draws from its own seed, as generate does', async (t) => {
  const model = await CausalLM.load(STORIES, await cpu());
  const rowSeeds = PROMPTS.map((_, i) => [100 + i, 0] as const);
  const options: GenerateOptions = { maxTokens: 24, temperature: 1, rowSeeds };
  const ref = await alone(model, PROMPTS, options);
  const got = await new ContinuousBatcher(model, { slots: 4 }).generate(PROMPTS, options);
  t.true(same(got, ref));
  t.false(same(got, await new ContinuousBatcher(model, { slots: 4 }).generate(PROMPTS, { ...options, rowSeeds: rowSeeds.map(([s]) => [s + 1, 0] as const) })));
  model.dispose();
});

test('the shared prefix is prefilled once and kept across calls; prompts that do not share it get their own', async (t) => {
  const model = await CausalLM.load(STORIES, await cpu());
  const cb = new ContinuousBatcher(model, { slots: 4 });
  const head = model.tokenizer!.encode(HEAD).length;
  await cb.generate(PROMPTS.slice(0, 3), OPTIONS);
  t.is(cb.stats.prefixBuilds, 1);
  t.is(cb.stats.prefixTokensReused, 3 * head, 'the three prompts share the head\'s tokens');
  // A later call (even of one prompt) whose prompts start with the kept prefix reuses it.
  const more = PROMPTS.slice(3);
  t.true(same(await cb.generate(more, OPTIONS), await alone(model, more, OPTIONS)));
  t.true(same(await cb.generate([PROMPTS[2]!], OPTIONS), await alone(model, [PROMPTS[2]!], OPTIONS)));
  t.is(cb.stats.prefixBuilds, 1);
  // Prompts sharing a different head: a new prefix; one prompt sharing nothing kept: none (computed whole).
  const other = ['The sun was shining and the birds were singing in the big tree. Tom', 'The sun was shining and the birds were singing in the big garden'];
  t.true(same(await cb.generate(other, OPTIONS), await alone(model, other, OPTIONS)));
  t.is(cb.stats.prefixBuilds, 2);
  const before = cb.stats.prefixTokensReused;
  t.true(same(await cb.generate(['Tom had a red ball.'], OPTIONS), await alone(model, ['Tom had a red ball.'], OPTIONS)));
  t.is(cb.stats.prefixTokensReused, before);
  model.dispose();
});

test('long prompts without a shared prefix are computed in chunks, and generate what they generate alone', async (t) => {
  const model = await CausalLM.load(STORIES, await cpu());
  const long = [PROMPTS[2]! + ' ' + PROMPTS[5]! + ' ' + PROMPTS[1]!, 'Tom and Sam went to the park. ' + PROMPTS[0]! + ' ' + PROMPTS[2]!, 'Sue said hi.'];
  const lengths = long.map((p) => model.tokenizer!.encode(p).length);
  t.true(lengths[0]! > 64 && lengths[1]! > 64, `prompts of ${lengths.join(', ')} tokens span more than one 64-token chunk`);
  const cb = new ContinuousBatcher(model, { slots: 2 });
  t.true(same(await cb.generate(long, OPTIONS), await alone(model, long, OPTIONS)));
  t.is(cb.stats.prefixBuilds, 0, 'the prompts share only BOS');
  t.is(cb.stats.suffixTokens, lengths.reduce((a, b) => a + b, 0));
  model.dispose();
});

test('lastLogits: the logits after each prompt, as a full forward gives them, with the shared prefix read once', async (t) => {
  const model = await CausalLM.load(STORIES, await cpu());
  const cb = new ContinuousBatcher(model, { slots: 2 });
  const ids = PROMPTS.map((p) => model.tokenizer!.encode(p));
  const got = await cb.lastLogits(ids);
  for (const [i, row] of ids.entries()) {
    const [full] = await model.forward([row]);
    const d = maxDiff(got[i]!, full!.at(-1)!);
    t.true(d < 1e-4, `prompt ${i}: max |diff| ${d}`);
  }
  t.is(cb.stats.prefixBuilds, 1);
  t.true(cb.stats.prefixTokensReused >= PROMPTS.length * 16, JSON.stringify(cb.stats));
  t.deepEqual(await cb.lastLogits([]), []);
  await t.throwsAsync(cb.lastLogits([[]]), { message: /prompt 0 has 0 tokens; it needs 1 to 512/ });
  model.dispose();
});

test('maxTokens 0, one-token prompts, the context limit, helpers, and errors', async (t) => {
  const model = await CausalLM.load(STORIES, await cpu());
  const cb = new ContinuousBatcher(model, { slots: 3 });
  const ids = [[1], [1, 403], [1, 403, 407, 261, 378]];
  for (const options of [{ maxTokens: 0 }, { maxTokens: 5 }, { maxTokens: 10_000, ignoreEos: true }]) {
    t.true(same(await cb.generate(ids, options), await alone(model, ids as unknown as string[], options)), JSON.stringify(options));
  }
  t.deepEqual(await cb.generate([], OPTIONS), []);
  t.is(commonPrefixLength([[1, 2, 3], [1, 2, 4], [1, 2]]), 2);
  t.deepEqual([slotCacheLength(5, 512), slotCacheLength(200, 512), slotCacheLength(300, 2048), slotCacheLength(300, 320)], [16, 256, 512, 320]);
  await t.throwsAsync(cb.generate(PROMPTS, { useCache: false }), { message: /always uses the KV cache/ });
  const ac = new AbortController();
  ac.abort(new Error('stopped by the caller'));
  await t.throwsAsync(cb.generate(PROMPTS, OPTIONS, undefined, ac.signal), { message: 'stopped by the caller' });
  t.throws(() => new ContinuousBatcher(model, { slots: 0 }), { message: /slots must be a positive integer/ });
  const noRange = new Proxy(model.backend, { get: (b, k) => (k === 'uploadRange' ? undefined : Reflect.get(b, k)) });
  const limited = new CausalLM(model.config, noRange, await model.readParams(), model.tokenizer);
  t.throws(() => new ContinuousBatcher(limited, {}), { message: /cpu backend cannot write part of a buffer \(no uploadRange\)/ });
  model.dispose();
});
