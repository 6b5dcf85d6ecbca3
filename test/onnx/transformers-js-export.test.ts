// `gramr export-onnx` folders as the JS world loads them: transformers.js (fully offline, from a local folder)
// loads the stories260K export and generates greedily exactly what `gramr generate` prints, token for token and
// byte for byte, alone and in a left-padded batch; the tokenizer.json written for llama2.c's tok512.bin encodes
// and decodes like gramr's llama2.c tokenizer.
import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer, type Tensor } from '@huggingface/transformers';
import { main } from '../../cli/main.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import type { GenerationResult } from '../../core/model/generate.js';
import { runGenerate } from '../../core/model/cli-generate.js';
import { Llama2cTokenizer } from '../../core/model/tokenizer/llama2c-tokenizer.js';
import { loadTokenizerJson } from '../../core/model/tokenizer/load-tokenizer.js';
import { cpu, STORIES, STORIES_TOK } from '../model/helpers.js';

let root = '';
let tjsModel: PreTrainedModel;
let tjsTok: PreTrainedTokenizer;
const PROMPT = 'Once upon a time';
const PROVER = 'test/fixtures/self-training/prover';

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gramr-tjs-'));
  for (const args of [[STORIES, 'stories'], [STORIES, 'stories-ext', '--external-data'], [PROVER, 'prover']]) {
    if (await main(['export-onnx', '--model', args[0]!, '--out', join(root, args[1]!), ...args.slice(2)]) !== 0) throw new Error(`export-onnx ${args.join(' ')} failed`);
  }
  env.allowRemoteModels = false; // never the Hub: the folder is read from disk only
  env.allowLocalModels = true;
  env.useFSCache = false; // nothing written beside the installed package
  env.localModelPath = root;
  tjsTok = await AutoTokenizer.from_pretrained('stories');
  tjsModel = await AutoModelForCausalLM.from_pretrained('stories', { dtype: 'fp32', device: 'cpu' });
});
test.after.always(async () => {
  await tjsModel?.dispose();
  await rm(root, { recursive: true, force: true });
});

const rows = (t: Tensor): number[][] => (t.tolist() as bigint[][]).map((r) => r.map(Number));

test('transformers.js generates 200 greedy tokens from the export exactly as gramr generate does', async (t) => {
  const be = await cpu();
  const model = await CausalLM.load(STORIES, be);
  const [want] = await model.generate([PROMPT], { maxTokens: 200 });
  model.dispose();
  let printed = '';
  t.is(await runGenerate({ model: STORIES, prompt: PROMPT, 'max-tokens': '200' }, be, (s) => { printed += s; }), 0);
  be.dispose();
  t.is(want!.tokens.length, 200, 'gramr ran the full 200 tokens (no EOS)');

  const inputs = tjsTok(PROMPT) as { input_ids: Tensor; attention_mask: Tensor };
  t.deepEqual(rows(inputs.input_ids)[0], want!.promptIds, 'same prompt ids');
  const out = await tjsModel.generate({ ...inputs, max_new_tokens: 200, do_sample: false }) as Tensor;
  const ids = rows(out)[0]!;
  t.deepEqual(ids.slice(want!.promptIds.length), want!.tokens, 'same 200 token ids');
  t.is(tjsTok.decode(ids, { skip_special_tokens: true }) + '\n', printed, 'same text as gramr generate prints, byte for byte');
});

test('a batch of 2 prompts of different lengths, left-padded by transformers.js, gives each prompt its own greedy tokens', async (t) => {
  const prompts = [PROMPT, 'Lily and Tom went to the park with their dog'];
  const be = await cpu();
  const model = await CausalLM.load(STORIES, be);
  const want = await model.generate(prompts, { maxTokens: 60 });
  model.dispose();
  be.dispose();
  const inputs = tjsTok(prompts, { padding: true }) as { input_ids: Tensor; attention_mask: Tensor };
  const mask = rows(inputs.attention_mask);
  const width = mask[0]!.length;
  t.not(want[0]!.promptIds.length, want[1]!.promptIds.length);
  mask.forEach((m, b) => t.deepEqual(m, Array.from({ length: width }, (_, i) => (i < width - want[b]!.promptIds.length ? 0 : 1)), `row ${b} is left-padded`));
  const out = rows(await tjsModel.generate({ ...inputs, max_new_tokens: 60, do_sample: false }) as Tensor);
  out.forEach((r, b) => {
    t.deepEqual(r.slice(width - want[b]!.promptIds.length, width), want[b]!.promptIds, `row ${b} prompt`);
    t.deepEqual(r.slice(width), want[b]!.tokens, `row ${b} generated tokens`);
  });
});

// Greedy generation of `prompt` by gramr (CausalLM) and by transformers.js from the export `name`.
async function bothGenerate(model: string, name: string, prompt: string, maxTokens: number): Promise<{ gramr: GenerationResult; ids: number[]; text: string }> {
  const be = await cpu();
  const lm = await CausalLM.load(model, be);
  const [gramr] = await lm.generate([prompt], { maxTokens });
  lm.dispose();
  be.dispose();
  const tok = await AutoTokenizer.from_pretrained(name);
  const tjs = await AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });
  const out = await tjs.generate({ ...(tok(prompt) as Record<string, Tensor>), max_new_tokens: maxTokens, do_sample: false }) as Tensor;
  await tjs.dispose();
  const ids = rows(out)[0]!;
  return { gramr: gramr!, ids, text: tok.decode(ids.slice(gramr!.promptIds.length), { skip_special_tokens: true }) };
}

test('a Hugging Face checkpoint folder (tokenizer.json copied) generates the same tokens and text in transformers.js', async (t) => {
  const { gramr, ids, text } = await bothGenerate(PROVER, 'prover', 'What is 12 + 7?', 40);
  t.is(gramr.tokens.length, 40);
  t.deepEqual(ids, [...gramr.promptIds, ...gramr.tokens]);
  t.is(text, gramr.text);
  t.regex(text, / \. /, 'the text has a space before punctuation, which transformers.js would otherwise clean up');
});

test('an export with external data loads in transformers.js and generates the same tokens', async (t) => {
  const { gramr, ids, text } = await bothGenerate(STORIES, 'stories-ext', PROMPT, 30);
  t.deepEqual(ids, [...gramr.promptIds, ...gramr.tokens]);
  t.is(text, gramr.text);
});

const SAMPLES = [
  '', ' ', 'Once upon a time', '  two  spaces ', 'Hello\nworld!\n\n', '\ttab', '12345 + 678 = ?', 'aaaaaaaaaaaa',
  'café naïve — “quotes” 😀 日本', 'The little girl said, "I love you, mom."', 'Lily and Tom went to the park. They saw a big dog!',
];

test('the tokenizer.json written for tok512.bin encodes and decodes like gramr\'s llama2.c tokenizer (and gramr reads it back)', async (t) => {
  const gramr = await Llama2cTokenizer.load(STORIES_TOK);
  const back = await loadTokenizerJson(join(root, 'stories', 'tokenizer.json'));
  const same = (s: string): void => {
    const ids = gramr.encode(s);
    t.deepEqual(Array.from(tjsTok.encode(s)), ids, `transformers.js encode ${JSON.stringify(s)}`);
    t.deepEqual(back.encode(s), ids, `gramr HfTokenizer encode ${JSON.stringify(s)}`);
    const text = gramr.decode(ids, { skipSpecial: true });
    t.is(tjsTok.decode(ids, { skip_special_tokens: true }), text, `transformers.js decode ${JSON.stringify(s)}`);
    t.is(back.decode(ids, { skipSpecial: true }), text);
  };
  for (const s of SAMPLES) same(s);
  // Random text over letters, punctuation, whitespace and a few characters outside the vocabulary (byte fallback).
  const alphabet = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzLTS .,!?"\'\n  éü😀日-'.split(''), 'th', 'the ', 'ing', 'ed ', 'Once ');
  fc.assert(fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
    const s = parts.join('');
    const ids = gramr.encode(s);
    return JSON.stringify(Array.from(tjsTok.encode(s))) === JSON.stringify(ids)
      && tjsTok.decode(ids, { skip_special_tokens: true }) === gramr.decode(ids, { skipSpecial: true });
  }), { numRuns: 300, seed: 14 });
  t.is(tjsTok.decode([1, 403, 407, 2], { skip_special_tokens: false }), '<s> Once upon</s>', 'special tokens have their plain names');
});
