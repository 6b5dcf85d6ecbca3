// GPT-2 tokenizer.json (byte-level BPE): published ids, OpenAI's original bpe() loop as an independent reference,
// the @lenml/tokenizers encoder as an oracle on a sample, and a round trip over every benchmark text (the shipped
// slices always, the whole sets from GRAMR_DATA when present).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenizerLoader } from '@lenml/tokenizers';
import { HfTokenizer, loadTokenizer } from '../../core/model/tokenizer/index.js';
import { benchmarkTexts } from './benchmark-texts.js';
import { sliceAndWholeTests } from '../test-data.js';
import { DATA, STORY_TEXTS } from './helpers.js';

const PATH = join(DATA, 'gpt2-tokenizer/tokenizer.json');
const json = JSON.parse(readFileSync(PATH, 'utf8')) as Record<string, unknown>;
const tok = new HfTokenizer(json, undefined, PATH);
const sets = benchmarkTexts(DATA);

test('published GPT-2 ids: "Hello world" is [15496, 995], <|endoftext|> is 50256', (t) => {
  t.deepEqual(tok.encode('Hello world'), [15496, 995]);
  t.is(tok.idToToken(995), 'Ġworld');
  t.deepEqual(tok.encode('<|endoftext|>'), [50256]);
  t.is(tok.vocabSize, 50257);
  t.is(tok.eosId, 50256);
  t.is(tok.bosId, undefined);
  t.false(tok.defaultAddBos);
  t.is(tok.kind, 'hf-bpe');
});

/** OpenAI's gpt-2 encoder.py bpe(): merge every occurrence of the lowest-ranked pair, repeat. */
function referenceBpe(word: string[], ranks: Map<string, number>): string[] {
  let parts = word;
  for (;;) {
    let best: [string, string] | undefined;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = ranks.get(parts[i] + ' ' + parts[i + 1]);
      if (r !== undefined && r < bestRank) { bestRank = r; best = [parts[i]!, parts[i + 1]!]; }
    }
    if (best === undefined) return parts;
    const next: string[] = [];
    for (let i = 0; i < parts.length;) {
      if (i + 1 < parts.length && parts[i] === best[0] && parts[i + 1] === best[1]) { next.push(best[0] + best[1]); i += 2; } else next.push(parts[i++]!);
    }
    parts = next;
  }
}

test('BPE merges agree with the original GPT-2 bpe() loop word by word', (t) => {
  const model = json.model as { merges: string[]; vocab: Record<string, number> };
  const ranks = new Map(model.merges.map((m, i) => [m, i]));
  const words = new Set<string>();
  for (const s of sets) for (const text of s.texts.slice(0, 3)) for (const w of text.match(/ ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+/gu) ?? []) words.add(w);
  t.true(words.size > 500);
  for (const w of words) {
    const chars = [...Buffer.from(w, 'utf8')].map(byteChar);
    const expected = referenceBpe(chars, ranks).map((p) => model.vocab[p]);
    t.deepEqual(tok.encode(w), expected, JSON.stringify(w));
  }
});

/** GPT-2's bytes_to_unicode, recomputed here independently of core's byte-level map. */
function byteChar(b: number): string {
  const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  if (printable) return String.fromCharCode(b);
  let n = 0;
  for (let x = 0; x < b; x++) if (!((x >= 0x21 && x <= 0x7e) || (x >= 0xa1 && x <= 0xac) || (x >= 0xae && x <= 0xff))) n++;
  return String.fromCharCode(256 + n);
}

sliceAndWholeTests('ids equal the @lenml/tokenizers encoder on a sample of every benchmark set', (t, root, scope) => {
  const oracle = TokenizerLoader.fromPreTrained({ tokenizerJSON: json as never, tokenizerConfig: {} as never });
  let n = 0;
  for (const s of benchmarkTexts(root)) {
    for (let i = 0; i < s.texts.length; i += { slice: 5, whole: 90 }[scope]) {
      const text = s.texts[i]!;
      t.deepEqual(tok.encode(text), oracle.encode(text, { add_special_tokens: false }), `${s.file} #${i}`);
      n++;
    }
  }
  for (const text of STORY_TEXTS) t.deepEqual(tok.encode(text), oracle.encode(text, { add_special_tokens: false }));
  if (scope === 'slice') t.is(n, 180, 'every 5th text of the slices');
  else t.true(n > 200, `compared ${n} texts`);
});

sliceAndWholeTests('encode/decode round-trips every text of every benchmark set exactly', (t, root, scope) => {
  let n = 0, tokens = 0;
  const failures: string[] = [];
  const sets = benchmarkTexts(root);
  for (const s of sets) {
    t.true(s.texts.length > 0, s.file);
    for (const text of s.texts) {
      const ids = tok.encode(text);
      tokens += ids.length;
      if (tok.decode(ids) !== text) failures.push(`${s.file}: ${JSON.stringify(text.slice(0, 80))}`);
      n++;
    }
  }
  t.deepEqual(failures, []);
  t.is(sets.length, 19, 'all 19 benchmark files were read');
  if (scope === 'slice') t.is(n, 870, 'the distinct texts of the slices');
  else t.true(n > 20000 && tokens > 3_000_000, `${n} texts, ${tokens} tokens`);
});

test('special tokens: matched before BPE, skippable in decode, and off for untrusted text', (t) => {
  const ids = tok.encode('a<|endoftext|>b');
  t.deepEqual(ids, [tok.tokenToId('a'), 50256, tok.tokenToId('b')]);
  t.is(tok.decode(ids), 'a<|endoftext|>b');
  t.is(tok.decode(ids, { skipSpecial: true }), 'ab');
  const plain = tok.encode('a<|endoftext|>b', { parseSpecial: false });
  t.false(plain.includes(50256));
  t.is(tok.decode(plain), 'a<|endoftext|>b');
});

test('loadTokenizer reads a tokenizer.json path', async (t) => {
  const again = await loadTokenizer(PATH);
  t.is(again.kind, 'hf-bpe');
  t.deepEqual(again.encode(STORY_TEXTS[1]!), tok.encode(STORY_TEXTS[1]!));
});
