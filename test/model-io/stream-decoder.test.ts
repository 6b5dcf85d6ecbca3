// StreamDecoder: token-by-token deltas concatenate to the full decode, and never print half a character.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteTokenizer, HfTokenizer, Llama2cTokenizer, StreamDecoder, type Tokenizer } from '../../core/model/tokenizer/index.js';
import { DATA, STORY_TEXTS } from './helpers.js';

const gpt2 = new HfTokenizer(JSON.parse(readFileSync(join(DATA, 'gpt2-tokenizer/tokenizer.json'), 'utf8')), undefined, 'gpt2');
const l2c = Llama2cTokenizer.parse(readFileSync(join(DATA, 'stories260K/tok512.bin')), 'tok512.bin');
const tokenizers: [string, Tokenizer][] = [['gpt2', gpt2], ['llama2c', l2c], ['byte', new ByteTokenizer()]];

for (const [name, tok] of tokenizers) {
  test(`${name}: deltas join to the full decode and contain no U+FFFD`, (t) => {
    for (const text of STORY_TEXTS) {
      const ids = tok.encode(text);
      const stream = new StreamDecoder(tok, { skipSpecial: true });
      const deltas = ids.map((id) => stream.push(id));
      deltas.push(stream.flush());
      t.is(deltas.join(''), tok.decode(ids, { skipSpecial: true }));
      t.false(deltas.some((d) => d.includes('\uFFFD')), JSON.stringify(deltas));
    }
  });
}

test('a 4-byte emoji split over byte tokens is held back, then printed whole', (t) => {
  const tok = new ByteTokenizer();
  const stream = new StreamDecoder(tok);
  t.deepEqual([0x41, 0xf0, 0x9f, 0xa4, 0x97, 0x42].map((id) => stream.push(id)), ['A', '', '', '', '🤗', 'B']);
  const cut = new StreamDecoder(tok);
  t.deepEqual([0x41, 0xf0, 0x9f].map((id) => cut.push(id)), ['A', '', '']);
  t.is(cut.flush(), '\uFFFD', 'flush releases an incomplete tail as U+FFFD');
});
