// Tokenizer building blocks: the heap merge loop against a naive loop, Oniguruma -> JS regex translation,
// Split behaviours, and clear errors for unsupported tokenizer.json sections.
import test from 'ava';
import { mergeByPriority, NO_MERGE, type MergeTable } from '../../core/model/tokenizer/bpe-merge.js';
import { translateOniguruma } from '../../core/model/tokenizer/hf-regex.js';
import { buildPreTokenizer, splitPiece } from '../../core/model/tokenizer/hf-pre-tokenizer.js';
import { buildNormalizer } from '../../core/model/tokenizer/hf-normalizer.js';
import { HfTokenizer } from '../../core/model/tokenizer/index.js';
import { ModelFormatError } from '../../core/model/checkpoint/index.js';
import { rng } from './helpers.js';

/** A random BPE-like vocabulary over "abcd": each rule joins two tokens into their concatenation; priorities tie often. */
function randomTable(seed: number): MergeTable {
  const r = rng(seed);
  const tokens = ['a', 'b', 'c', 'd'];
  const ids = new Map(tokens.map((tk, i) => [tk, i]));
  const rules = new Map<string, [number, number]>();
  for (let k = 0; k < 60; k++) {
    const x = tokens[Math.floor(r() * tokens.length)]!, y = tokens[Math.floor(r() * tokens.length)]!;
    if ((x + y).length > 8) continue;
    if (!ids.has(x + y)) { ids.set(x + y, tokens.length); tokens.push(x + y); }
    const key = `${ids.get(x)},${ids.get(y)}`;
    if (!rules.has(key)) rules.set(key, [Math.floor(r() * 10), ids.get(x + y)!]);
  }
  return {
    priority: (a, b) => rules.get(`${a},${b}`)?.[0] ?? NO_MERGE,
    result: (a, b) => rules.get(`${a},${b}`)![1],
  };
}

/** Merge the single best pair (lowest priority, leftmost) per round: the textbook loop. */
function naiveMerge(ids: number[], table: MergeTable): number[] {
  const s = [...ids];
  for (;;) {
    let best = NO_MERGE, at = -1;
    for (let i = 0; i + 1 < s.length; i++) {
      const p = table.priority(s[i]!, s[i + 1]!);
      if (p < best) { best = p; at = i; }
    }
    if (at < 0) return s;
    s.splice(at, 2, table.result(s[at]!, s[at + 1]!));
  }
}

test('heap merge = naive leftmost-best merge on random rule sets and inputs', (t) => {
  for (let seed = 1; seed <= 40; seed++) {
    const table = randomTable(seed);
    const r = rng(seed * 7);
    for (let k = 0; k < 25; k++) {
      const ids = Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.floor(r() * 4));
      t.deepEqual(mergeByPriority(ids, table), naiveMerge(ids, table));
    }
  }
});

test('Oniguruma translation: (?i:) groups, Unicode White_Space \\s, \\d as Nd', (t) => {
  const re = new RegExp(translateOniguruma("(?i:'s|'t)|\\s+|\\d", 'f', 'i'), 'gu');
  t.deepEqual("'S 'T\u0085\uFEFF٣".match(re), ["'S", ' ', "'T", '\u0085', '٣'], 'NEL is whitespace, BOM is not (as in Oniguruma)');
  t.is(translateOniguruma('[^\\s\\p{L}]', 'f', 'i').includes('\\u3000'), true);
  t.throws(() => translateOniguruma('[^\\S]', 'f.json', 'pre_tokenizer.pattern'), { message: /f\.json \[pre_tokenizer\.pattern\]: .*\\S inside a character class/ });
});

test('Split behaviours on "the-final--countdown"', (t) => {
  const text = 'the-final--countdown';
  t.deepEqual(splitPiece(text, /-/gu, 'Isolated', false), ['the', '-', 'final', '-', '-', 'countdown']);
  t.deepEqual(splitPiece(text, /-/gu, 'Removed', false), ['the', 'final', 'countdown']);
  t.deepEqual(splitPiece(text, /-/gu, 'MergedWithPrevious', false), ['the-', 'final-', '-', 'countdown']);
  t.deepEqual(splitPiece(text, /-/gu, 'MergedWithNext', false), ['the', '-final', '-', '-countdown']);
  t.deepEqual(splitPiece(text, /[a-z]+/gu, 'Removed', true), ['the', 'final', 'countdown'], 'invert: the matches are the content');
});

test('Metaspace prepends "▁" only at the start of the text with prepend_scheme first', (t) => {
  const plan = buildPreTokenizer({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true }, 'f');
  t.deepEqual(plan.run(['Hey friend'], true), ['▁Hey', '▁friend']);
  t.deepEqual(plan.run(['Hey friend'], false), ['Hey', '▁friend']);
  const norm = buildNormalizer({ type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] }, 'f')!;
  t.is(norm('a b'), '▁a▁b');
  t.is(norm(''), '', 'Prepend leaves empty text alone');
});

test('unsupported tokenizer.json sections are errors that name the file, the section and the options', (t) => {
  const base = { model: { type: 'BPE', vocab: { a: 0 }, merges: [] }, decoder: { type: 'ByteLevel' }, added_tokens: [] };
  const err = t.throws(() => new HfTokenizer({ ...base, model: { type: 'WordPiece', vocab: {} } }, undefined, 'x/tokenizer.json'), { instanceOf: ModelFormatError });
  t.regex(err!.message, /x\/tokenizer\.json \[model\.type\]: only BPE models are supported, got model\.type "WordPiece"/);
  t.throws(() => new HfTokenizer({ ...base, normalizer: { type: 'BertNormalizer' } }, undefined, 't.json'), { message: /t\.json \[normalizer\]: unsupported normalizer type "BertNormalizer"; supported: NFC/ });
  t.throws(() => new HfTokenizer({ ...base, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }] } }, undefined, 't.json'), { message: /\[pre_tokenizer\.pretokenizers\[0\]\]: unsupported pre-tokenizer type "Whitespace"/ });
  t.throws(() => new HfTokenizer({ ...base, decoder: null }, undefined, 't.json'), { message: /t\.json \[decoder\]: tokenizer\.json has no decoder/ });
  t.throws(() => new HfTokenizer({ ...base, model: { type: 'BPE', vocab: { a: 0 }, merges: ['a b'] } }, undefined, 't.json'), { message: /\[model\.merges\[0\]\]: merge "a b" uses "b", which is not in the vocabulary/ });
  t.throws(() => new HfTokenizer({ ...base, pre_tokenizer: { type: 'ByteLevel' } }, undefined, 't.json'), { message: /needs all 256 byte characters/ });
  t.throws(() => new HfTokenizer(base, { eos_token: '</s>' }, 'd/tokenizer.json'), { message: /d\/tokenizer_config\.json \[eos_token\]: eos_token "<\/s>" is not in the vocabulary/ });
  const noFallback = new HfTokenizer(base, undefined, 't.json');
  t.throws(() => noFallback.encode('ab'), { message: /character "b" \(U\+62\) is not in the vocabulary and the model has neither byte_fallback nor unk_token/ });
});
