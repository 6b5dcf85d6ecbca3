// llama2.c tok512.bin tokenizer: the reference encoding, a literal O(n^2) port of run.c's encode loop as an
// independent oracle for the heap-based merge, decoding rules, byte fallback, save/load and bad files.
import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Llama2cTokenizer, loadTokenizer } from '../../core/model/tokenizer/index.js';
import { ModelFormatError } from '../../core/model/checkpoint/index.js';
import { benchmarkTexts } from './benchmark-texts.js';
import { sliceAndWholeTests } from '../test-data.js';
import { DATA, STORY_TEXTS, tempDir } from './helpers.js';

const TOK_PATH = join(DATA, 'stories260K/tok512.bin');
const tok = Llama2cTokenizer.parse(readFileSync(TOK_PATH), TOK_PATH);

const vocab: string[] = [];
const scores: number[] = [];
{
  const buf = readFileSync(TOK_PATH);
  for (let off = 4; off < buf.length;) {
    scores.push(buf.readFloatLE(off));
    const len = buf.readInt32LE(off + 4);
    vocab.push(buf.toString('latin1', off + 8, off + 8 + len));
    off += 8 + len;
  }
}
const sets = benchmarkTexts(DATA);

/** run.c's encode, transcribed loop for loop (linear search for the best pair each round). */
function naiveEncode(text: string): number[] {
  const lookup = (s: string): number => vocab.indexOf(s);
  const tokens: number[] = [1];
  if (text !== '') tokens.push(lookup(' '));
  const bytes = Buffer.from(text, 'utf8');
  let str = '';
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i]! & 0xc0) !== 0x80) str = '';
    str += String.fromCharCode(bytes[i]!);
    if (i + 1 < bytes.length && (bytes[i + 1]! & 0xc0) === 0x80 && str.length < 4) continue;
    const id = lookup(str);
    if (id !== -1) tokens.push(id);
    else for (const ch of str) tokens.push(ch.charCodeAt(0) + 3);
    str = '';
  }
  for (;;) {
    let best = -1e10, bestId = -1, bestIdx = -1;
    for (let i = 0; i < tokens.length - 1; i++) {
      const id = lookup(vocab[tokens[i]!]! + vocab[tokens[i + 1]!]!);
      if (id !== -1 && scores[id]! > best) { best = scores[id]!; bestId = id; bestIdx = i; }
    }
    if (bestIdx === -1) break;
    tokens.splice(bestIdx, 2, bestId);
  }
  return tokens;
}

test('"Once upon a time" encodes to the llama2.c reference ids 1 403 407 261 378', (t) => {
  t.deepEqual(tok.encode('Once upon a time'), [1, 403, 407, 261, 378]);
  t.is(tok.vocabSize, 512);
  t.is(tok.bosId, 1);
  t.is(tok.eosId, 2);
  t.is(tok.kind, 'llama2c');
});

test('the heap merge gives exactly what the literal run.c loop gives', (t) => {
  const texts = [...STORY_TEXTS, ''];
  for (const s of sets) texts.push(...s.texts.slice(0, 2).map((x) => x.slice(0, 400)));
  for (const text of texts) t.deepEqual(tok.encode(text), naiveEncode(text), JSON.stringify(text.slice(0, 60)));
});

test('decode drops the dummy-prefix space after BOS and turns <0xXX> pieces into bytes', (t) => {
  t.is(tok.decode([1, 403, 407, 261, 378], { skipSpecial: true }), 'Once upon a time');
  t.is(tok.idToToken(403), ' Once');
  t.is(tok.decode([403, 407]), 'Once upon'); // leading space also dropped at the start of the sequence
  t.is(tok.decode([407, 403]), 'upon Once');
  const e = tok.encode('日', { addBos: false });
  t.deepEqual(e, [tok.tokenToId(' '), 0xe6 + 3, 0x97 + 3, 0xa5 + 3], '日 (E6 97 A5) is not in the 512-token vocabulary: byte + 3');
  t.is(tok.idToToken(0xe6 + 3), '<0xE6>');
  t.is(tok.decode(e), '日');
  t.deepEqual(tok.encode('é', { addBos: false }), [tok.tokenToId(' '), tok.tokenToId('é')], 'é is in the vocabulary');
});

sliceAndWholeTests('encode/decode round-trips stories, unicode, emoji, code and benchmark texts', (t, root, scope) => {
  const texts = [...STORY_TEXTS, ' leading space', 'trailing\n'];
  for (const s of benchmarkTexts(root)) for (let i = 0; i < s.texts.length; i += { slice: 1, whole: 25 }[scope]) texts.push(s.texts[i]!);
  let n = 0;
  for (const text of texts) {
    const ids = tok.encode(text);
    t.is(ids[0], 1);
    t.true(ids.every((id) => id >= 0 && id < 512));
    if (tok.decode(ids, { skipSpecial: true }) !== text) t.fail(`round trip failed for ${JSON.stringify(text.slice(0, 80))}`);
    n++;
  }
  if (scope === 'slice') t.is(n, STORY_TEXTS.length + 2 + 870, 'every text of the slices');
  else t.true(n > 800, `checked ${n} texts`);
});

test('BOS/EOS options, empty text, no double BOS', (t) => {
  t.deepEqual(tok.encode(''), [1]);
  t.deepEqual(tok.encode('', { addBos: false }), []);
  const ids = tok.encode('Once upon a time', { addBos: false, addEos: true });
  t.deepEqual(ids, [403, 407, 261, 378, 2]);
  t.true(tok.isSpecial(1) && tok.isSpecial(2) && !tok.isSpecial(403));
  t.is(tok.tokenToId(' Once'), 403);
});

test('save writes a byte-identical tok512.bin and loadTokenizer picks the format', async (t) => {
  const dir = tempDir(t);
  const [path] = await tok.save(dir);
  const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
  t.is(sha(path!), sha(TOK_PATH), `${path} differs from ${TOK_PATH}`);
  const again = await loadTokenizer(dir);
  t.is(again.kind, 'llama2c');
  t.deepEqual(again.encode('Once upon a time'), [1, 403, 407, 261, 378]);
});

test('a truncated or inconsistent tok*.bin is a clear error naming the file and token', (t) => {
  const buf = readFileSync(TOK_PATH);
  const cut = buf.subarray(0, buf.length - 3);
  const err = t.throws(() => Llama2cTokenizer.parse(cut, 'cut.bin'), { instanceOf: ModelFormatError });
  t.regex(err!.message, /cut\.bin \[token 511\]: truncated/);
  const err2 = t.throws(() => Llama2cTokenizer.parse(buf, 'tok512.bin', 32000), { instanceOf: ModelFormatError });
  t.regex(err2!.message, /has 512 tokens, the model expects 32000/);
  const bad = Buffer.from(buf);
  bad.writeInt32LE(-5, 4 + 4); // length of token 0
  t.throws(() => Llama2cTokenizer.parse(bad, 'bad.bin'), { message: /bad\.bin \[token 0\]: token length -5/ });
});

test('loadTokenizer errors name the path when nothing is there', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'notes.txt'), 'x');
  await t.throwsAsync(loadTokenizer(dir), { message: /no tokenizer found: expected tokenizer\.json .* or tok\*\.bin/ });
  await t.throwsAsync(loadTokenizer(join(dir, 'missing.json')), { message: /missing\.json: no such file/ });
});
