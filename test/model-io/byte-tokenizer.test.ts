// Byte tokenizer for from-scratch models: the documented id layout, round trips, specials, the plain chat
// template, and save/load as a genuine HF tokenizer.json (checked by loading it with @lenml/tokenizers too).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenizerLoader } from '@lenml/tokenizers';
import { ByteTokenizer, loadTokenizer } from '../../core/model/tokenizer/index.js';
import { STORY_TEXTS, tempDir } from './helpers.js';

test('id layout: bytes 0..255, then <pad> 256, <bos> 257, <eos> 258, extras from 259', (t) => {
  const tok = new ByteTokenizer({ extraSpecials: ['<|user|>'] });
  t.deepEqual(tok.encode('A'), [257, 65]);
  t.deepEqual(tok.encode('é', { addBos: false }), [0xc3, 0xa9]);
  t.deepEqual(tok.encode('hi', { addEos: true }), [257, 104, 105, 258]);
  t.deepEqual([tok.padId, tok.bosId, tok.eosId, tok.tokenToId('<|user|>')], [256, 257, 258, 259]);
  t.is(tok.vocabSize, 260);
  t.is(tok.idToToken(32), 'Ġ');
  t.is(tok.tokenToId('Ġ'), 32);
  t.true(tok.isSpecial(258) && !tok.isSpecial(255));
  t.throws(() => tok.decode([260]), { instanceOf: RangeError, message: /260 is outside/ });
});

test('round trip, specials in text, no double BOS, parseSpecial false', (t) => {
  const tok = new ByteTokenizer();
  for (const text of STORY_TEXTS) t.is(tok.decode(tok.encode(text), { skipSpecial: true }), text);
  t.deepEqual(tok.encode('<bos>x'), [257, 120]);
  t.deepEqual(tok.encode('x<eos>', { parseSpecial: false, addBos: false }), [...Buffer.from('x<eos>')]);
  t.is(tok.decode([257, 0xf0, 0x9f, 0xa4, 0x97, 258]), '<bos>🤗<eos>');
  t.is(tok.decode([0xf0, 0x9f]), '\uFFFD', 'an incomplete character decodes to U+FFFD');
});

test('plain chat template renders role tags and encodes with a single BOS', (t) => {
  const tok = new ByteTokenizer();
  const text = tok.renderChat([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Yo' }], { addGenerationPrompt: false });
  t.is(text, '<bos><|user|>\nHi\n<|assistant|>\nYo<eos>\n');
  t.is(tok.renderChat([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true }), '<bos><|user|>\nHi\n<|assistant|>\n');
  const ids = tok.encode(text);
  t.is(ids.filter((id) => id === 257).length, 1);
  t.is(ids.filter((id) => id === 258).length, 1);
});

test('save writes an HF tokenizer.json that loads back as a byte tokenizer and in @lenml/tokenizers', async (t) => {
  const dir = tempDir(t);
  const tok = new ByteTokenizer({ extraSpecials: ['<|sep|>'] });
  await tok.save(dir);
  const again = await loadTokenizer(dir);
  t.is(again.kind, 'byte');
  t.is(again.vocabSize, 260);
  const text = 'Once upon a time 🤗<|sep|>done';
  t.deepEqual(again.encode(text), tok.encode(text));
  t.is(again.renderChat([{ role: 'user', content: 'x' }]), tok.renderChat([{ role: 'user', content: 'x' }]));
  const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
  const oracle = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: config });
  t.deepEqual(oracle.encode(text, { add_special_tokens: true }), tok.encode(text));
  t.is(oracle.decode(tok.encode(text), { skip_special_tokens: true }), 'Once upon a time 🤗done');
});
