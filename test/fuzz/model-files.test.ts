// Fuzz pass over the model-file readers: safetensors, llama2.c checkpoints and tokenizers, tokenizer.json (with
// tokenizer_config.json). Valid small files are built here, then damaged (bytes set, cut, inserted; JSON values
// replaced or removed). Every input must load or be refused with a clean error (ModelFormatError with a message);
// a tokenizer that loads must encode and decode sample text without crashing. Seed and budget: fuzz-helpers.ts.
import test from 'ava';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError, SafetensorsFile, loadLlama2cCheckpoint } from '../../core/model/checkpoint/index.js';
import { BYTE_TO_CHAR } from '../../core/model/tokenizer/byte-level-map.js';
import { ByteTokenizer, HfTokenizer, Llama2cTokenizer, loadTokenizer, type Tokenizer } from '../../core/model/tokenizer/index.js';
import { spTokenizerJson, rawSafetensors } from '../model-io/helpers.js';
import { cleanly, cleanlySync, damagedBytes, damagedJson, fuzzParams, scratchFolder } from './fuzz-helpers.js';

const { dir, file: tempFile } = scratchFolder('gramr-fuzz-model-');

const SAMPLES = ['Hello world', ' the cat', 'ab<s>ba</s> é日本😀', '', '<|endoftext|>x', '\u0000\n\t  '];

/** Encode and decode samples: what a loaded tokenizer must survive. */
function exercise(tok: Tokenizer): void {
  for (const text of SAMPLES) {
    for (const parseSpecial of [true, false]) {
      const ids = tok.encode(text, { parseSpecial });
      if (!ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabSize)) throw new Error(`encode gave ids outside the vocabulary: ${ids.join(',')}`);
      tok.decode(ids);
      tok.decode(ids, { skipSpecial: true });
    }
  }
}

// --- safetensors -------------------------------------------------------------------------------------------------
const stHeader = {
  __metadata__: { format: 'pt' },
  a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
  b: { dtype: 'F16', shape: [4], data_offsets: [24, 32] },
  c: { dtype: 'BF16', shape: [], data_offsets: [32, 34] },
  d: { dtype: 'I8', shape: [2], data_offsets: [34, 36] },
};
const stData = Uint8Array.from({ length: 36 }, (_, i) => (i * 37) & 0xff);

async function openSafetensors(bytes: Uint8Array): Promise<void> {
  const f = await SafetensorsFile.open(tempFile('x.safetensors', bytes));
  try {
    for (const [name, e] of f.entries) if (e.dtype !== 'I8') await f.readFloat32(name);
  } finally {
    await f.close();
  }
}

test.serial('safetensors: the valid base file reads', async (t) => {
  await openSafetensors(rawSafetensors(stHeader, stData));
  t.pass();
});

test.serial('safetensors: damaged headers are read or refused cleanly', async (t) => {
  await fc.assert(fc.asyncProperty(damagedJson(stHeader), fc.integer({ min: 0, max: 48 }), async (header, dataLen) => {
    await cleanly(() => openSafetensors(rawSafetensors(header, stData.subarray(0, Math.min(dataLen, 36)))));
  }), fuzzParams(300, 4000));
  t.pass();
});

test.serial('safetensors: damaged bytes are read or refused cleanly', async (t) => {
  await fc.assert(fc.asyncProperty(damagedBytes(rawSafetensors(stHeader, stData)), async (bytes) => {
    await cleanly(() => openSafetensors(bytes));
  }), fuzzParams(300, 4000));
  t.pass();
});

// --- llama2.c checkpoints ------------------------------------------------------------------------------------------
const L2C = { dim: 8, hidden: 16, layers: 2, heads: 2, kv: 1, vocab: 16, seq: 4 };
const l2cFloats = (shared: boolean, v1: boolean): number => {
  const { dim, hidden, layers, vocab, seq } = L2C;
  const kvDim = L2C.kv * (dim / L2C.heads);
  return vocab * dim + layers * (2 * dim + 2 * dim * dim + 2 * kvDim * dim + 3 * hidden * dim) + dim
    + (v1 ? 0 : seq * dim / L2C.heads) + (shared ? 0 : vocab * dim);
};

function llama2cFile(ints: number[], v1: boolean, shared: boolean, floats: number): Buffer {
  const head = Buffer.alloc(v1 ? 256 : 28);
  let off = 0;
  if (v1) { head.writeUInt32LE(0x616b3432, 0); head.writeInt32LE(1, 4); off = 8; }
  ints.forEach((x, i) => head.writeInt32LE(x, off + 4 * i));
  if (v1) head.writeUInt8(shared ? 1 : 0, 36);
  const data = Buffer.alloc(floats * 4);
  for (let i = 0; i < floats; i++) data.writeFloatLE(Math.sin(i), i * 4);
  return Buffer.concat([head, data]);
}

const baseInts = (shared: boolean, v1: boolean): number[] =>
  [L2C.dim, L2C.hidden, L2C.layers, L2C.heads, L2C.kv, shared || v1 ? L2C.vocab : -L2C.vocab, L2C.seq];
const variants = [[false, true], [false, false], [true, true], [true, false]] as const; // [v1, shared]

test.serial('llama2.c checkpoints: the valid base files load', async (t) => {
  for (const [v1, shared] of variants) {
    const ck = await loadLlama2cCheckpoint(tempFile('m.bin', llama2cFile(baseInts(shared, v1), v1, shared, l2cFloats(shared, v1))));
    t.is(ck.config.tieWordEmbeddings, shared);
  }
});

const headerInt = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, -1, -16, 1 << 24, (1 << 24) + 1, -(2 ** 31), 2 ** 31 - 1, 3, 7));

test.serial('llama2.c checkpoints: implausible or inconsistent headers are refused cleanly, without big allocations', async (t) => {
  const arb = fc.record({
    variant: fc.constantFrom(...variants), ints: fc.array(headerInt, { minLength: 7, maxLength: 7 }),
    keep: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), floatsDelta: fc.constantFrom(0, 0, -1, 1, -100),
  });
  await fc.assert(fc.asyncProperty(arb, async ({ variant: [v1, shared], ints, keep, floatsDelta }) => {
    const header = baseInts(shared, v1).map((x, i) => (keep[i] ? x : ints[i]!));
    const floats = Math.max(0, l2cFloats(shared, v1) + floatsDelta);
    await cleanly(() => loadLlama2cCheckpoint(tempFile('m.bin', llama2cFile(header, v1, shared, floats))));
  }), fuzzParams(300, 5000));
  t.pass();
});

test.serial('llama2.c checkpoints: damaged bytes are loaded or refused cleanly', async (t) => {
  const bases = variants.map(([v1, shared]) => llama2cFile(baseInts(shared, v1), v1, shared, l2cFloats(shared, v1)));
  await fc.assert(fc.asyncProperty(fc.constantFrom(...bases).chain((b) => damagedBytes(b.subarray(0, 300))), async (head) => {
    await cleanly(() => loadLlama2cCheckpoint(tempFile('m.bin', head)));
  }), fuzzParams(200, 3000));
  t.pass();
});

// --- llama2.c tokenizers -------------------------------------------------------------------------------------------
const l2cPieces = ['<unk>', '<s>', '</s>', ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`),
  ' ', 'a', 'b', 'ab', ' a', 'the', ' the', 'th', 'he', 'c', 'at', ' c', ' cat'];
const l2cTok = new Llama2cTokenizer(l2cPieces, Float32Array.from(l2cPieces, (p, i) => (i < 259 ? 0 : p.length + i / 100)), 8, 'fuzz');
let l2cBytes: Buffer;
test.before(async () => {
  l2cBytes = readFileSync((await l2cTok.save(join(dir, 'tok')))[0]!);
});

test.serial('llama2.c tokenizers: damaged files parse or are refused cleanly, and what parses encodes and decodes', async (t) => {
  exercise(Llama2cTokenizer.parse(l2cBytes, 'base.bin'));
  const arb = fc.tuple(fc.constantFrom(l2cBytes, l2cBytes.subarray(0, 200)).chain(damagedBytes), fc.option(fc.integer({ min: 0, max: 300 })));
  await fc.assert(fc.property(arb, ([bytes, expected]) => {
    cleanlySync(() => exercise(Llama2cTokenizer.parse(bytes, 'fuzz.bin', expected ?? undefined)));
  }), fuzzParams(400, 4000));
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
    await cleanly(async () => exercise(await loadTokenizer(tempFile('tok.bin', bytes))));
  }), fuzzParams(100, 2000));
  t.pass();
});

// --- tokenizer.json --------------------------------------------------------------------------------------------------
function byteLevelJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  BYTE_TO_CHAR.forEach((ch, b) => { vocab[ch] = b; });
  const merges = [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['a', 't'], ['c', 'at']];
  merges.forEach(([l, r], i) => { vocab[l! + r!] = 256 + i; });
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [{ id: 261, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: { type: 'NFC' },
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
  };
}

const tokenizerBases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
  [byteLevelJson(), { bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', chat_template: '{% for m in messages %}{{ m.content }}{% endfor %}' }],
  [spTokenizerJson(l2cTok, 'legacy'), { bos_token: '<s>', eos_token: '</s>', add_bos_token: true }],
  [spTokenizerJson(l2cTok, 'metaspace'), { bos_token: { content: '<s>' }, eos_token: '</s>' }],
  [new ByteTokenizer().toTokenizerJson(), new ByteTokenizer().toTokenizerConfig()],
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What loadTokenizerJson does once both files are parsed (it refuses files that are not JSON objects before this). */
function buildTokenizer(json: unknown, cfg: unknown): Tokenizer | undefined {
  if (!isObject(json) || (cfg !== undefined && !isObject(cfg))) return undefined;
  const j = json;
  const c = cfg;
  return ByteTokenizer.fromHfJson(j, c, 'fuzz/tokenizer.json') ?? new HfTokenizer(j, c, 'fuzz/tokenizer.json');
}

test.serial('tokenizer.json: the valid base files load and work', (t) => {
  for (const [json, cfg] of tokenizerBases) exercise(buildTokenizer(json, cfg)!);
  t.pass();
});

test.serial('tokenizer.json: damaged tokenizer.json / tokenizer_config.json load or are refused cleanly', async (t) => {
  const arb = fc.constantFrom(...tokenizerBases).chain((base) => damagedJson(base));
  await fc.assert(fc.property(arb, ([json, cfg]) => {
    cleanlySync(() => { const tok = buildTokenizer(json, cfg); if (tok !== undefined) exercise(tok); });
  }), fuzzParams(600, 4000));
  t.pass();
});

test.serial('tokenizer.json: damaged file text loads or is refused cleanly', async (t) => {
  const text = JSON.stringify(tokenizerBases[0]![0]);
  await fc.assert(fc.asyncProperty(damagedBytes(Buffer.from(text.slice(0, 400))), async (bytes) => {
    const d = mkdtempSync(join(dir, 'tj-'));
    writeFileSync(join(d, 'tokenizer.json'), bytes);
    await cleanly(async () => exercise(await loadTokenizer(d)));
  }), fuzzParams(100, 2000));
  t.pass();
});

// --- what this pass found (each crashed with a TypeError or RangeError, or allocated without bound, before) --------
test.serial('found: a llama2.c header with 16,777,216 layers is refused by size before any per-layer work', async (t) => {
  const ints = [2, 1, 1 << 24, 1, 1, 1, 1]; // dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
  const err = await t.throwsAsync(loadLlama2cCheckpoint(tempFile('layers.bin', llama2cFile(ints, false, true, 10))), { instanceOf: ModelFormatError });
  t.regex(err?.message ?? '', /file is 68 bytes but its header \(dim=2, hidden_dim=1, n_layers=16777216,.*\) implies \d+ bytes \(truncated\?\)/);
});

const tokenizerCases: Array<[string, (j: Record<string, any>, c: Record<string, any>) => void, RegExp, number?]> = [
  ['a null added token', (j) => { j.added_tokens = [null]; }, /\[added_tokens\[0\]\]: needs an integer "id" from 0 to 16777215/],
  ['an added token id of 1e12', (j) => { j.added_tokens[0].id = 1e12; }, /\[added_tokens\[0\]\]: needs an integer "id" from 0 to 16777215/],
  ['a vocabulary id of 2^40', (j) => { j.model.vocab.a = 2 ** 40; }, /\[model\.vocab\["a"\]\]: id must be an integer from 0 to 16777215/],
  ['a null decoder in a Sequence', (j) => { j.decoder = { type: 'Sequence', decoders: [null] }; }, /\[decoder/],
  ['a null piece in a TemplateProcessing', (j) => { j.post_processor = { type: 'TemplateProcessing', single: [null] }; }, /\[post_processor\.single\[0\]\]/],
  ['post-processor ids that no token has', (j) => {
    j.post_processor = { type: 'TemplateProcessing', single: [{ SpecialToken: { id: 'X' } }, { Sequence: { id: 'A' } }], special_tokens: { X: { ids: [99999] } } };
  }, /\[post_processor\]: adds token id 99999, which no token of this vocabulary has/],
  ['a null chat template entry', (_j, c) => { c.chat_template = [null]; }, /chat_template must be a string or a list of \{name, template\}/],
  ['a null model.vocab (gramr byte-tokenizer shape)', (j) => { j.model.vocab = null; }, /model\.vocab must be an object/, 3],
];

for (const [what, damage, message, base = 0] of tokenizerCases) {
  test.serial(`found: tokenizer.json with ${what} is a ModelFormatError`, (t) => {
    const [json, cfg] = structuredClone(tokenizerBases[base]!);
    damage(json, cfg);
    const err = t.throws(() => buildTokenizer(json, cfg), { instanceOf: ModelFormatError });
    t.regex(err?.message ?? '', message);
  });
}
