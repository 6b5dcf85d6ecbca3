// Stored quantized checkpoints (saveQuantizedCheckpoint / `gramr quantize`): a small random model written int4 and
// int8 and loaded again gives exactly the logits of quantizing at load on the onnx backend, the cpu backend runs it
// dequantized; a truncated file, a config that contradicts the codes, a bad scale and a mismatched --quantize are
// refused with the file and tensor named.
import 'reflect-metadata';
import test from 'ava';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { main } from '../../cli/main.js';
import { OnnxBackend } from '../../backends/onnx/onnx-backend.js';
import { openCheckpoint, parseHfConfig, saveHfCheckpoint } from '../../core/model/checkpoint/index.js';
import { saveQuantizedCheckpoint } from '../../core/model/checkpoint/quantized-checkpoint.js';
import { SafetensorsFile } from '../../core/model/checkpoint/safetensors-file.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { weightsFromParams } from '../../core/model/decoder-weights.js';
import { createScratchModel } from '../../core/model/scratch-init.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { STORIES } from '../model/helpers.js';
import { dequantizeMatrix, quantizeMatrix } from '../../core/tensor/quantize.js';

const config = parseHfConfig({
  architectures: ['Qwen2ForCausalLM'], vocab_size: 96, hidden_size: 64, intermediate_size: 160, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 128, tie_word_embeddings: true,
}, 'test config');
const ids = [[3, 17, 42, 5, 88, 60, 1, 9, 33, 70, 12, 50]];
let dir = '';

async function quantizeTo(bits: 4 | 8, tag: string): Promise<string> {
  const out = join(dir, tag, `int${bits}`);
  const reader = await openCheckpoint(join(dir, 'f32'));
  try {
    await saveQuantizedCheckpoint(reader, out, bits);
  } finally { await reader.close(); }
  return out;
}

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gramr-qckpt-'));
  await saveHfCheckpoint(join(dir, 'f32'), config, weightsFromParams(config, createScratchModel(config, 3, 0.1)));
});
test.after.always(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

async function logitsOf(path: string, backend: ComputeBackend, quantize?: 'int8' | 'int4'): Promise<Float32Array[]> {
  const m = await CausalLM.load(path, backend, quantize ? { tokenizer: false, quantize } : { tokenizer: false });
  try {
    return (await m.forward(ids))[0]!;
  } finally { m.dispose(); }
}

for (const bits of [4, 8] as const) {
  test(`int${bits}: the stored checkpoint loads with the logits of quantizing at load, and holds only codes and scales`, async (t) => {
    const stored = await quantizeTo(bits, 'same');
    const onnx = new OnnxBackend({ threads: 1 });
    await onnx.init();
    const atLoad = await logitsOf(join(dir, 'f32'), onnx, `int${bits}`);
    const fromFile = await logitsOf(stored, onnx);
    const f32 = await logitsOf(join(dir, 'f32'), onnx);
    t.deepEqual(fromFile.map((r) => [...r]), atLoad.map((r) => [...r]), 'identical logits');
    t.true(f32.some((r, i) => r.some((v, j) => v !== atLoad[i]![j])), 'quantized logits differ from F32 (the weights really are quantized)');
    const file = await SafetensorsFile.open(join(stored, 'model.safetensors'));
    const q = file.entries.get('model.layers.0.mlp.down_proj.weight.qweight')!;
    await file.close();
    t.deepEqual([q.dtype, q.shape], ['U8', [64, 5, bits * 4]], 'down_proj [64, 160]: 5 blocks of 32 per row');
    const ratio = (await stat(join(stored, 'model.safetensors'))).size / (await stat(join(dir, 'f32', 'model.safetensors'))).size;
    t.log(`int${bits} file / F32 file: ${ratio.toFixed(3)}`);
    t.true(ratio < (bits === 4 ? 0.45 : 0.6), `file ratio ${ratio}`);
    onnx.dispose();
  });
}

test('the cpu backend loads a stored int4 checkpoint dequantized: the values the codes stand for', async (t) => {
  const stored = await quantizeTo(4, 'cpu');
  const reader = await openCheckpoint(stored);
  const name = 'model.layers.1.self_attn.o_proj.weight';
  const f32 = await openCheckpoint(join(dir, 'f32'));
  const w = await f32.read(name);
  await f32.close();
  t.deepEqual([...(await reader.read(name))], [...dequantizeMatrix(quantizeMatrix(w, 64, 64, 4))]);
  await reader.close();
  const cpu = new CpuBackend();
  await cpu.init();
  const onnx = new OnnxBackend({ threads: 1, quantAccuracy: 0 }); // f32 compute on the dequantized weights
  await onnx.init();
  const a = await logitsOf(stored, cpu), b = await logitsOf(stored, onnx);
  const diff = Math.max(...a.flatMap((r, i) => [...r].map((v, j) => Math.abs(v - b[i]![j]!))));
  t.true(diff < 1e-4, `cpu (dequantized) vs onnx (MatMulNBits, accuracy 0): ${diff}`);
  await t.throwsAsync(CausalLM.load(stored, onnx, { tokenizer: false, quantize: 'int8' }), { message: /--quantize int8: .*int4.* is stored 4-bit/ });
  cpu.dispose();
  onnx.dispose();
});

test('a truncated file, a config that contradicts the codes and a bad scale are refused naming file and tensor', async (t) => {
  const stored = await quantizeTo(8, 'bad');
  const model = join(stored, 'model.safetensors');
  const bytes = await readFile(model);
  await writeFile(model, bytes.subarray(0, bytes.length - 100));
  const truncated = await t.throwsAsync(openCheckpoint(stored));
  t.regex(truncated!.message, /int8\/model\.safetensors.*out of range|int8\/model\.safetensors.*cover/);
  await writeFile(model, bytes);
  const cfgPath = join(stored, 'config.json');
  const cfg = JSON.parse(await readFile(cfgPath, 'utf8'));
  await writeFile(cfgPath, JSON.stringify({ ...cfg, quantization_config: { ...cfg.quantization_config, bits: 4 } }));
  const mismatch = await t.throwsAsync(openCheckpoint(stored));
  t.regex(mismatch!.message, /model\.safetensors \[model\.layers\.0\.self_attn\.q_proj\.weight\.qweight\]: U8 \[64, 2, 32\] contradicts .*config\.json \(4-bit, blocks of 32\), which implies U8 \[64, 2, 16\]/);
  await writeFile(cfgPath, JSON.stringify({ ...cfg, quantization_config: { quant_method: 'gptq', bits: 4 } }));
  await t.throwsAsync(openCheckpoint(stored), { message: /config\.json \[quantization_config\.quant_method\]: quant_method "gptq" is not supported/ });
  await writeFile(cfgPath, JSON.stringify(cfg));
  const file = await SafetensorsFile.open(model);
  const e = file.entries.get('model.layers.1.mlp.up_proj.weight.scales')!;
  const at = file.dataOffset + e.begin;
  await file.close();
  const fh = await open(model, 'r+');
  await fh.write(Buffer.from(new Float32Array([NaN]).buffer), 0, 4, at);
  await fh.close();
  const onnx = new OnnxBackend({ threads: 1 });
  await onnx.init();
  await t.throwsAsync(CausalLM.load(stored, onnx, { tokenizer: false }), { message: /model\.safetensors \[model\.layers\.1\.mlp\.up_proj\.weight\.scales\]: scale 0 is NaN/ });
  onnx.dispose();
});

test('quantizing refuses an already quantized source and writing over the source folder', async (t) => {
  const stored = await quantizeTo(4, 'refuse');
  const reader = await openCheckpoint(stored);
  await t.throwsAsync(saveQuantizedCheckpoint(reader, join(dir, 'again'), 8), { message: /is already stored 4-bit/ });
  await reader.close();
  const f32 = await openCheckpoint(join(dir, 'f32'));
  await t.throwsAsync(saveQuantizedCheckpoint(f32, join(dir, 'f32'), 4), { message: /the output folder is the source folder/ });
  await f32.close();
});

test('gramr quantize writes a folder generate loads (stories260K, with its tokenizer); bad --bits is a usage error', async (t) => {
  const out = join(dir, 'cli', 'stories-int8');
  t.is(await main(['quantize', '--model', STORIES, '--to', out, '--bits', '8']), 0);
  const onnx = new OnnxBackend({ threads: 1 });
  await onnx.init();
  const m = await CausalLM.load(out, onnx, { tokenizer: join(out, 'tok512.bin') }); // written beside the weights
  const [r] = await m.generate(['Once upon a time'], { maxTokens: 20, ignoreEos: true });
  t.log(`int8 stories260K: ${JSON.stringify(r!.text)}`);
  t.is(r!.tokens.length, 20);
  t.true(r!.text.length > 20, 'the continuation decodes to text');
  m.dispose();
  onnx.dispose();
  t.is(await main(['quantize', '--model', STORIES, '--to', join(dir, 'cli', 'bad'), '--bits', '3']), 2);
});
