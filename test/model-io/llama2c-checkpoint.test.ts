// llama2.c .bin checkpoints: stories260K's header and tensors checked against raw file offsets, untied and
// version-1 files written by an independent writer here, and truncated / implausible files rejected.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, loadLlama2cCheckpoint, ModelFormatError, type Weights } from '../../core/model/checkpoint/index.js';
import { DATA, rng, tempDir } from './helpers.js';

const BIN = join(DATA, 'stories260K/stories260K.bin');
const raw = readFileSync(BIN);
const floatsAt = (byteOffset: number, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => raw.readFloatLE(byteOffset + 4 * i));

test('stories260K: config from the header, interleaved RoPE, tied classifier', async (t) => {
  const c = await loadCheckpoint(BIN);
  t.is(c.format, 'llama2c');
  t.deepEqual(c.config, {
    architecture: 'LlamaForCausalLM', vocabSize: 512, hiddenSize: 64, intermediateSize: 172, numLayers: 5,
    numHeads: 8, numKvHeads: 4, headDim: 8, maxPositions: 512, rmsNormEps: 1e-5, ropeTheta: 10000,
    ropeStyle: 'interleaved', attentionBias: false, attentionOutBias: false, mlpBias: false, qkNorm: false,
    tieWordEmbeddings: true, bosTokenId: 1, eosTokenIds: [2],
  });
  t.is(c.weights.size, 1 + 5 * 9 + 1);
  t.false(c.weights.has('lm_head.weight'));
});

test('stories260K: tensors hold the floats at their llama2.c file offsets, in HF [out, in] shapes', async (t) => {
  const { weights } = await loadLlama2cCheckpoint(BIN);
  const H = 64, L = 5, KV = 32, F = 172, V = 512;
  let off = 28;
  const next = (n: number): number => { const o = off; off += n * 4; return o; };
  const embed = next(V * H), rmsAtt = next(L * H), wq = next(L * H * H), wk = next(L * KV * H), wv = next(L * KV * H);
  const wo = next(L * H * H), rmsFfn = next(L * H), w1 = next(L * F * H), w2 = next(L * H * F), w3 = next(L * F * H), rmsFinal = next(H);
  t.is(off + 2 * 512 * 4 * 4, raw.length, 'freq_cis_real/imag fill the rest');
  const check = (name: string, shape: number[], byteOffset: number): void => {
    const w = weights.get(name)!;
    t.deepEqual(w.shape, shape, name);
    t.deepEqual(w.data, floatsAt(byteOffset, shape.reduce((a, b) => a * b, 1)), name);
  };
  check('model.embed_tokens.weight', [V, H], embed);
  check('model.layers.0.input_layernorm.weight', [H], rmsAtt);
  check('model.layers.2.self_attn.q_proj.weight', [H, H], wq + 2 * H * H * 4);
  check('model.layers.4.self_attn.k_proj.weight', [KV, H], wk + 4 * KV * H * 4);
  check('model.layers.1.self_attn.v_proj.weight', [KV, H], wv + 1 * KV * H * 4);
  check('model.layers.3.self_attn.o_proj.weight', [H, H], wo + 3 * H * H * 4);
  check('model.layers.4.post_attention_layernorm.weight', [H], rmsFfn + 4 * H * 4);
  check('model.layers.0.mlp.gate_proj.weight', [F, H], w1);
  check('model.layers.2.mlp.down_proj.weight', [H, F], w2 + 2 * H * F * 4);
  check('model.layers.4.mlp.up_proj.weight', [F, H], w3 + 4 * F * H * 4);
  check('model.norm.weight', [H], rmsFinal);
  t.true(weights.get('model.norm.weight')!.data.every((x) => Number.isFinite(x) && x > 0), 'trained RMSNorm gains are positive');
});

/** A tiny model's tensors in llama2.c order (legacy v0 or version 1), written independently of the reader. */
function writeTiny(version: 0 | 1, shared: boolean): { bytes: Buffer; weights: Weights } {
  const [dim, hidden, layers, heads, kvHeads, vocab, seq] = [8, 12, 2, 2, 1, 10, 6];
  const r = rng(version * 10 + (shared ? 1 : 0));
  const weights: Weights = new Map();
  const make = (name: string, shape: number[]): Float32Array => {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r());
    weights.set(name, { shape, data });
    return data;
  };
  const per = (suffix: string, shape: number[]): Float32Array[] => Array.from({ length: layers }, (_, i) => make(`model.layers.${i}.${suffix}`, shape));
  const kv = kvHeads * (dim / heads);
  const embed = make('model.embed_tokens.weight', [vocab, dim]);
  const attnNorm = per('input_layernorm.weight', [dim]);
  const wq = per('self_attn.q_proj.weight', [dim, dim]), wk = per('self_attn.k_proj.weight', [kv, dim]);
  const wv = per('self_attn.v_proj.weight', [kv, dim]), wo = per('self_attn.o_proj.weight', [dim, dim]);
  const ffnNorm = per('post_attention_layernorm.weight', [dim]);
  const w1 = per('mlp.gate_proj.weight', [hidden, dim]), w2 = per('mlp.down_proj.weight', [dim, hidden]), w3 = per('mlp.up_proj.weight', [hidden, dim]);
  const norm = make('model.norm.weight', [dim]);
  const head = shared ? [] : [make('lm_head.weight', [vocab, dim])];
  const params = Buffer.from(Int32Array.from([dim, hidden, layers, heads, kvHeads, version === 0 && !shared ? -vocab : vocab, seq]).buffer);
  const f = (xs: Float32Array[]): Buffer[] => xs.map((x) => Buffer.from(x.buffer));
  let parts: Buffer[];
  if (version === 0) {
    const freqs = Buffer.alloc(2 * seq * (dim / heads / 2) * 4);
    parts = [params, ...f([embed, ...attnNorm, ...wq, ...wk, ...wv, ...wo, ...ffnNorm, ...w1, ...w2, ...w3, norm]), freqs, ...f(head)];
  } else {
    const header = Buffer.alloc(256);
    header.writeUInt32LE(0x616b3432, 0);
    header.writeInt32LE(1, 4);
    params.copy(header, 8);
    header.writeUInt8(shared ? 1 : 0, 36);
    parts = [header, ...f([...attnNorm, ...ffnNorm, norm, embed, ...wq, ...wk, ...wv, ...wo, ...w1, ...w2, ...w3, ...head])];
  }
  return { bytes: Buffer.concat(parts), weights };
}

for (const [version, shared] of [[0, false], [0, true], [1, false], [1, true]] as const) {
  test(`llama2.c ${version === 0 ? 'legacy' : 'version 1'} file, ${shared ? 'shared' : 'separate'} classifier`, async (t) => {
    const { bytes, weights } = writeTiny(version, shared);
    const path = join(tempDir(t), 'tiny.bin');
    writeFileSync(path, bytes);
    const c = await loadCheckpoint(path);
    t.is(c.config.tieWordEmbeddings, shared);
    t.is(c.config.vocabSize, 10);
    t.is(c.config.headDim, 4);
    const sorted = (w: Weights): [string, unknown][] => [...w].sort((a, b) => a[0].localeCompare(b[0]));
    t.deepEqual(sorted(c.weights), sorted(weights));
  });
}

test('a truncated .bin is a clear error with the expected and actual sizes', async (t) => {
  const path = join(tempDir(t), 'cut.bin');
  writeFileSync(path, raw.subarray(0, raw.length - 100));
  const err = await t.throwsAsync(loadCheckpoint(path), { instanceOf: ModelFormatError });
  t.is(err!.message, `${path}: file is 1056440 bytes but its header (dim=64, hidden_dim=172, n_layers=5, n_heads=8, n_kv_heads=4, vocab_size=512, seq_len=512) implies 1056540 bytes (truncated?)`);
});

test('implausible headers are rejected before reading weights', async (t) => {
  const dir = tempDir(t);
  const bad = Buffer.from(raw.subarray(0, 1024));
  bad.writeInt32LE(0, 12); // n_heads = 0
  writeFileSync(join(dir, 'heads.bin'), bad);
  await t.throwsAsync(loadCheckpoint(join(dir, 'heads.bin')), { message: /heads\.bin \[n_heads\]: header value 0 is not plausible/ });
  const odd = Buffer.from(raw.subarray(0, 1024));
  odd.writeInt32LE(3, 16); // n_kv_heads = 3 does not divide 8
  writeFileSync(join(dir, 'kv.bin'), odd);
  await t.throwsAsync(loadCheckpoint(join(dir, 'kv.bin')), { message: /\[n_kv_heads\]: n_heads 8 is not a multiple of n_kv_heads 3/ });
  const v2 = Buffer.alloc(256);
  v2.writeUInt32LE(0x616b3432, 0);
  v2.writeInt32LE(2, 4);
  writeFileSync(join(dir, 'q8.bin'), v2);
  await t.throwsAsync(loadCheckpoint(join(dir, 'q8.bin')), { message: /\[version\]: llama2\.c export version 2 is not supported/ });
  writeFileSync(join(dir, 'short.bin'), Buffer.alloc(10));
  await t.throwsAsync(loadCheckpoint(join(dir, 'short.bin')), { message: /file is 10 bytes; a llama2\.c model starts with a 28-byte header/ });
});
