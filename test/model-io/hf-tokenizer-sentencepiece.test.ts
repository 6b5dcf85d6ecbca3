// SentencePiece-style tokenizer.json (Llama 2 / TinyLlama layout: "▁", byte_fallback, <s> template) built from
// the tok512 vocabulary: must agree with the llama2.c encoder and with the @lenml encoder, and never double BOS.
// Texts: stories and a sample of the benchmark slices (and of the whole sets from GRAMR_DATA when present).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { TokenizerLoader } from '@lenml/tokenizers';
import { HfTokenizer, Llama2cTokenizer } from '../../core/model/tokenizer/index.js';
import { benchmarkTexts } from './benchmark-texts.js';
import { fixturePath, sliceAndWholeTests, type DataScope } from '../test-data.js';
import { STORY_TEXTS, spTokenizerJson } from './helpers.js';

const TOK_PATH = fixturePath('stories260K/tok512.bin');
const l2c = Llama2cTokenizer.parse(readFileSync(TOK_PATH), TOK_PATH);
const legacyJson = spTokenizerJson(l2c, 'legacy');
const metaJson = spTokenizerJson(l2c, 'metaspace');
const legacy = new HfTokenizer(legacyJson, { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', add_bos_token: true }, 'sp-legacy/tokenizer.json');
const meta = new HfTokenizer(metaJson, { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' }, 'sp-metaspace/tokenizer.json');
/** The stories and every 5th (slices) or 150th (whole sets) benchmark text, cut to 3000 characters. */
function sample(root: string, scope: DataScope): string[] {
  const out: string[] = [...STORY_TEXTS];
  for (const s of benchmarkTexts(root)) for (let i = 0; i < s.texts.length; i += { slice: 5, whole: 150 }[scope]) out.push(s.texts[i]!.slice(0, 3000));
  return out;
}

test('Llama 2 layout: "Once upon a time" gives the llama2.c ids, BOS from the template', (t) => {
  t.deepEqual(legacy.encode('Once upon a time'), [1, 403, 407, 261, 378]);
  t.deepEqual(meta.encode('Once upon a time'), [1, 403, 407, 261, 378]);
  t.is(legacy.bosId, 1);
  t.is(legacy.eosId, 2);
  t.true(legacy.defaultAddBos);
  t.is(legacy.idToToken(403), '▁Once');
});

sliceAndWholeTests('merge-rank BPE over the derived merges equals llama2.c score merging on stories and benchmark texts', (t, root, scope) => {
  const texts = sample(root, scope);
  for (const text of texts) t.deepEqual(legacy.encode(text), l2c.encode(text), JSON.stringify(text.slice(0, 60)));
  if (scope === 'slice') t.is(texts.length, STORY_TEXTS.length + 180);
  else t.true(texts.length > 150);
});

sliceAndWholeTests('ids equal the @lenml/tokenizers encoder for both layouts', (t, root, scope) => {
  for (const [json, ours] of [[legacyJson, legacy], [metaJson, meta]] as const) {
    const oracle = TokenizerLoader.fromPreTrained({ tokenizerJSON: json as never, tokenizerConfig: { tokenizer_class: 'PreTrainedTokenizer' } as never });
    for (const text of sample(root, scope).slice(0, 80)) t.deepEqual(ours.encode(text, { addBos: false }), oracle.encode(text, { add_special_tokens: false }), JSON.stringify(text.slice(0, 60)));
  }
});

sliceAndWholeTests('decode: "▁" becomes a space, the leading one is stripped, <0xXX> bytes are reassembled', (t, root, scope) => {
  for (const text of sample(root, scope)) {
    t.is(legacy.decode(legacy.encode(text), { skipSpecial: true }), text);
    if (!text.startsWith(' ')) t.is(meta.decode(meta.encode(text), { skipSpecial: true }), text);
  }
  const emoji = legacy.encode('🤗', { addBos: false });
  t.deepEqual(emoji.map((id) => legacy.idToToken(id)), ['▁', '<0xF0>', '<0x9F>', '<0xA4>', '<0x97>']);
  t.is(legacy.decode(emoji), '🤗');
  t.is(legacy.decode([1, 403]), '<s> Once', 'a kept BOS is not stripped; the space after it stays');
});

test('no double BOS: a chat template that writes <s> is encoded with exactly one', (t) => {
  const tok = new HfTokenizer(legacyJson, {
    bos_token: '<s>', eos_token: '</s>',
    chat_template: "{{ bos_token }}{% for m in messages %}{{ '[' + m.role + '] ' + m.content + '\\n' }}{% endfor %}",
  }, 'sp-chat/tokenizer.json');
  const text = tok.renderChat([{ role: 'user', content: 'Once upon a time' }]);
  t.is(text, '<s>[user] Once upon a time\n');
  const ids = tok.encode(text);
  t.is(ids[0], 1);
  t.is(ids.filter((id) => id === 1).length, 1);
  t.deepEqual(tok.encode('<s>hi'), tok.encode('hi'));
  t.deepEqual(tok.encode('hi', { addBos: false })[0] === 1, false);
  t.deepEqual(tok.encode('hi', { addEos: true }).at(-1), 2);
  t.deepEqual(tok.encode('hi</s>', { addEos: true }).filter((id) => id === 2).length, 1, 'no double EOS either');
});
