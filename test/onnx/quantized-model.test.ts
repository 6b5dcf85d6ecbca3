// Quantized inference on the ONNX backend (MatMulNBits): a small random Qwen2-style model loaded with
// `quantize: 'int8' | 'int4'` gives the logits of the same model in F32 on the dequantized weights (exactly at
// accuracy 0; within the int8-activation rounding at 4) and next-token distributions close to the F32 original's;
// quantized buffers are read-only; the KV-cache path agrees with full forwards; the cpu backend refuses by name.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { OnnxBackend } from '../../backends/onnx/onnx-backend.js';
import { loadCheckpoint, saveHfCheckpoint, parseHfConfig } from '../../core/model/checkpoint/index.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { decoderParamSpecs, weightsFromParams } from '../../core/model/decoder-weights.js';
import { createScratchModel } from '../../core/model/scratch-init.js';
import { dequantizeMatrix, quantizeMatrix, type QuantBits } from '../../core/tensor/quantize.js';

const config = parseHfConfig({
  architectures: ['Qwen2ForCausalLM'], vocab_size: 96, hidden_size: 64, intermediate_size: 160, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 128, tie_word_embeddings: false,
}, 'test config');
const backend = new OnnxBackend({ threads: 1 });
const exact = new OnnxBackend({ threads: 1, quantAccuracy: 0 });
let dir = '';
const ids = [[3, 17, 42, 5, 88, 60, 1, 9, 33, 70, 12, 50]];

test.before(async () => {
  await backend.init();
  await exact.init();
  dir = await mkdtemp(join(tmpdir(), 'gramr-quant-'));
  // std 0.1 rather than 0.02: logits far from uniform, so quantization error shows in them.
  await saveHfCheckpoint(join(dir, 'f32'), config, weightsFromParams(config, createScratchModel(config, 5, 0.1)));
});
test.after.always(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

// The checkpoint with every projection and the head replaced by its dequantized values.
async function dequantizedCopy(bits: QuantBits): Promise<string> {
  const ck = await loadCheckpoint(join(dir, 'f32'));
  const out = join(dir, `deq${bits}`);
  for (const spec of decoderParamSpecs(config)) {
    const w = ck.weights.get(spec.name)!;
    if (spec.transposed) w.data = dequantizeMatrix(quantizeMatrix(w.data, w.shape[0]!, w.shape[1]!, bits));
  }
  await saveHfCheckpoint(out, config, ck.weights);
  return out;
}

const softmax = (x: Float32Array): number[] => { const m = Math.max(...x); const e = Array.from(x, (v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };
const kl = (p: number[], q: number[]): number => p.reduce((a, pi, i) => a + (pi > 0 ? pi * Math.log(pi / q[i]!) : 0), 0);

async function logitsOf(path: string, on: OnnxBackend, quantize?: 'int8' | 'int4'): Promise<Float32Array[]> {
  const m = await CausalLM.load(path, on, quantize ? { tokenizer: false, quantize } : { tokenizer: false });
  try {
    return (await m.forward(ids))[0]!;
  } finally { m.dispose(); }
}

function compare(a: Float32Array[], c: Float32Array[]): { maxDiff: number; range: number; meanKl: number } {
  let maxDiff = 0, range = 0, meanKl = 0;
  a.forEach((row, i) => {
    row.forEach((x, v) => { maxDiff = Math.max(maxDiff, Math.abs(c[i]![v]! - x)); range = Math.max(range, Math.abs(x)); });
    meanKl += kl(softmax(row), softmax(c[i]!)) / a.length;
  });
  return { maxDiff, range, meanKl };
}

for (const [fmt, bits, klBound] of [['int8', 8, 2e-3], ['int4', 4, 0.1]] as const) {
  test(`${fmt}: logits equal F32 on the dequantized weights (accuracy 0), within 3% with int8 activations (4), and close to F32`, async (t) => {
    const f32 = await logitsOf(join(dir, 'f32'), backend);
    const deq = await logitsOf(await dequantizedCopy(bits), backend);
    const q0 = compare(deq, await logitsOf(join(dir, 'f32'), exact, fmt));
    const q4 = compare(deq, await logitsOf(join(dir, 'f32'), backend, fmt));
    const vsF32 = compare(f32, await logitsOf(join(dir, 'f32'), backend, fmt));
    t.log(`${fmt}: max |logit| ${vsF32.range.toFixed(3)}; max diff vs dequantized F32 ${q0.maxDiff.toExponential(2)} (accuracy 0), `
      + `${q4.maxDiff.toExponential(2)} (accuracy 4); vs F32 ${vsF32.maxDiff.toExponential(2)}, mean KL ${vsF32.meanKl.toExponential(2)}`);
    t.true(vsF32.range > 1, 'logits are not near zero (the comparison means something)');
    t.true(q0.maxDiff <= 1e-4 * q0.range, `accuracy 0 vs dequantized: ${q0.maxDiff}`);
    t.true(q4.maxDiff <= 0.03 * q4.range, `accuracy 4 vs dequantized: ${q4.maxDiff}`);
    t.true(vsF32.meanKl < klBound, `mean KL ${vsF32.meanKl} >= ${klBound}`);
    t.true(vsF32.maxDiff > 0, 'the quantized model really runs quantized weights');
  });
}

test('quantized weight buffers are read-only and download as the [in, out] values they stand for', async (t) => {
  const q = await CausalLM.load(join(dir, 'f32'), exact, { tokenizer: false, quantize: 'int8' });
  const f32 = (await loadCheckpoint(join(dir, 'f32'))).weights.get('model.layers.0.mlp.up_proj.weight')!; // [160, 64]
  const buf = q.params['model.layers.0.mlp.up_proj.weight']!;
  t.deepEqual(buf.shape, [64, 160]);
  t.throws(() => exact.upload(buf, new Float32Array(64 * 160)), { message: /holds quantized weights and is read-only/ });
  const back = await exact.download(buf);
  const want = dequantizeMatrix(quantizeMatrix(f32.data, 160, 64, 8));
  t.is(back[3 * 160 + 7], want[7 * 64 + 3]);
  q.dispose();
});

test('int4 generation with the KV cache (prefill + decode programs) gives the tokens of full forwards without it', async (t) => {
  const q = await CausalLM.load(join(dir, 'f32'), exact, { tokenizer: false, quantize: 'int4' });
  const [a] = await q.generate(ids, { maxTokens: 12, ignoreEos: true });
  const [b] = await q.generate(ids, { maxTokens: 12, ignoreEos: true, useCache: false });
  t.is(a!.tokens.length, 12);
  t.deepEqual(a!.tokens, b!.tokens);
  q.dispose();
});

test('the cpu backend refuses quantized loading, naming the backend that can', async (t) => {
  const cpu = new CpuBackend();
  await cpu.init();
  await t.throwsAsync(CausalLM.load(join(dir, 'f32'), cpu, { tokenizer: false, quantize: 'int4' }), { message: /--quantize int4: the cpu backend cannot run quantized weights \(the onnx backend on its cpu provider can/ });
});

test('a program embedding quantized weights drops its model bytes once its session exists, and lowers them again after eviction', async (t) => {
  const small = new OnnxBackend({ threads: 1, maxQuantizedSessions: 1 });
  await small.init();
  const q = await CausalLM.load(join(dir, 'f32'), small, { tokenizer: false, quantize: 'int4' });
  const first = (await q.forward(ids))[0]!;
  const graph = q.program(`forward:1:16`, () => { throw new Error('the forward program should be compiled already'); }) as import('../../backends/onnx/onnx-backend.js').OnnxCompiledGraph;
  t.is(graph.lowered.bytes.length, 0);
  await q.generate(ids, { maxTokens: 3, ignoreEos: true }); // other quantized programs evict the forward session
  t.true(small.sessionCount <= 2, `${small.sessionCount} sessions live: one quantized at most, plus cache growth`);
  const again = (await q.forward(ids))[0]!;
  t.deepEqual(Array.from(again[5]!), Array.from(first[5]!));
  q.dispose();
  small.dispose();
});
