// Hugging Face checkpoint folders: save/load round trips (stories260K with its tokenizer, Qwen3/Qwen2/Llama-3
// shaped toy models), sharded folders, BF16 weights, and errors for missing tensors, contradicting configs,
// unknown architectures, stray tensors and broken indexes. Writes are atomic (no temp files left behind).
import test from 'ava';
import { readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadCheckpoint, saveHfCheckpoint, writeSafetensors, writeFileAtomic, ModelFormatError, parseHfConfig, toHfConfig, expectedTensors,
  type ModelConfig, type Weights,
} from '../../core/model/checkpoint/index.js';
import { loadTokenizer } from '../../core/model/tokenizer/index.js';
import { DATA, FIXTURES, randomWeights, rawSafetensors, tempDir } from './helpers.js';

const sorted = (w: Weights): [string, unknown][] => [...w].sort((a, b) => a[0].localeCompare(b[0]));
const fixture = (name: string): ModelConfig => parseHfConfig(JSON.parse(readFileSync(join(FIXTURES, 'configs', name), 'utf8')), name);

/** A small config of the given real model's kind. */
function tiny(name: string, over: Partial<ModelConfig> = {}): ModelConfig {
  return { ...fixture(name), vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 4, ...over };
}

test('stories260K: llama2.c -> HF folder -> load gives identical arrays, config and tokenizer', async (t) => {
  const dir = tempDir(t);
  const src = await loadCheckpoint(join(DATA, 'stories260K/stories260K.bin'));
  const tok = await loadTokenizer(join(DATA, 'stories260K/tok512.bin'));
  const written = await saveHfCheckpoint(dir, src.config, src.weights, tok);
  t.deepEqual(written.map((p) => p.slice(dir.length + 1)), ['model.safetensors', 'config.json', 'tok512.bin']);
  t.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors', 'tok512.bin'], 'no temp files left');
  const back = await loadCheckpoint(dir);
  t.is(back.format, 'hf-safetensors');
  t.deepEqual(back.config, src.config);
  t.deepEqual(sorted(back.weights), sorted(src.weights));
  t.deepEqual(back.ignored, []);
  t.deepEqual((await loadTokenizer(dir)).encode('Once upon a time'), [1, 403, 407, 261, 378]);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  t.is(cfg.gramr_rope_style, 'interleaved');
  t.is(cfg.torch_dtype, 'float32');
});

for (const [name, over] of [
  ['qwen3-0.6b.json', {}],
  ['qwen2.5-0.5b-instruct.json', { tieWordEmbeddings: false }],
  ['llama-3.2-1b.json', { attentionBias: true, attentionOutBias: true, mlpBias: true }],
  ['mistral-7b-v0.1.json', { slidingWindow: 8 }],
] as const) {
  test(`round trip of a ${name.replace('.json', '')}-shaped model`, async (t) => {
    const dir = tempDir(t);
    const config = tiny(name, over);
    const weights = randomWeights(config, 11);
    await saveHfCheckpoint(dir, config, weights);
    const back = await loadCheckpoint(join(dir, 'config.json'));
    t.deepEqual(back.config, config);
    t.deepEqual(sorted(back.weights), sorted(weights));
    if (config.qkNorm) t.deepEqual(back.weights.get('model.layers.1.self_attn.q_norm.weight')!.shape, [4]);
    if (config.attentionBias) t.deepEqual(back.weights.get('model.layers.0.self_attn.k_proj.bias')!.shape, [8]);
    t.is(back.weights.has('lm_head.weight'), !config.tieWordEmbeddings);
  });
}

test('sharded folder with model.safetensors.index.json loads like the single file', async (t) => {
  const dir = tempDir(t);
  const config = tiny('qwen3-0.6b.json');
  const weights = randomWeights(config, 5);
  const names = [...weights.keys()];
  const half = Math.floor(names.length / 2);
  const shards = [names.slice(0, half), names.slice(half)];
  const weightMap: Record<string, string> = {};
  for (const [i, list] of shards.entries()) {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    await writeSafetensors(join(dir, file), list.map((n) => [n, weights.get(n)!] as [string, { shape: number[]; data: Float32Array }]));
    for (const n of list) weightMap[n] = file;
  }
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(toHfConfig(config)));
  const back = await loadCheckpoint(dir);
  t.deepEqual(sorted(back.weights), sorted(weights));

  weightMap['model.norm.weight'] = 'model-00001-of-00002.safetensors';
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
  await t.throwsAsync(loadCheckpoint(dir), { message: /model\.safetensors\.index\.json \[model\.norm\.weight\]: the index puts this tensor in model-00001-of-00002\.safetensors, but that shard does not contain it/ });
  weightMap['model.norm.weight'] = 'model-00003-of-00003.safetensors';
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
  await t.throwsAsync(loadCheckpoint(dir), { message: /\[model-00003-of-00003\.safetensors\]: shard model-00003-of-00003\.safetensors listed in the index does not exist/ });
});

test('BF16 checkpoints decode to float32; a tied duplicate lm_head and rotary caches are ignored', async (t) => {
  const dir = tempDir(t);
  const config = tiny('qwen3-0.6b.json', { numLayers: 1 });
  const header: Record<string, unknown> = {};
  const chunks: Buffer[] = [];
  let off = 0;
  const expected = new Map<string, number[]>();
  const add = (name: string, shape: number[]): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    const bits = Uint16Array.from({ length: n }, (_, i) => 0x3f80 + (i % 4) * 0x40); // 1, 1.5, 2, 2.5 ...
    expected.set(name, Array.from({ length: n }, (_, i) => [1, 1.5, 2, 3][i % 4]!));
    header[name] = { dtype: 'BF16', shape, data_offsets: [off, off + 2 * n] };
    chunks.push(Buffer.from(bits.buffer));
    off += 2 * n;
  };
  for (const spec of expectedTensors(config)) add(spec.name, spec.shape);
  add('lm_head.weight', [40, 16]);
  add('model.layers.0.self_attn.rotary_emb.inv_freq', [2]);
  writeFileSync(join(dir, 'model.safetensors'), rawSafetensors(header, Buffer.concat(chunks)));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(toHfConfig(config)));
  const back = await loadCheckpoint(dir);
  t.deepEqual(back.ignored.sort(), ['lm_head.weight', 'model.layers.0.self_attn.rotary_emb.inv_freq']);
  t.false(back.weights.has('lm_head.weight'));
  for (const [name, w] of back.weights) t.deepEqual([...w.data], expected.get(name), name);
});

/** A saved toy Llama folder to break in various ways. */
async function savedFolder(t: import('ava').ExecutionContext): Promise<{ dir: string; config: ModelConfig; weights: Weights }> {
  const dir = tempDir(t);
  const config = tiny('tinyllama-1.1b-chat.json');
  const weights = randomWeights(config, 2);
  await saveHfCheckpoint(dir, config, weights);
  return { dir, config, weights };
}

test('a missing tensor is an error naming the tensor and the files searched', async (t) => {
  const { dir, config, weights } = await savedFolder(t);
  weights.delete('model.layers.1.mlp.up_proj.weight');
  await writeSafetensors(join(dir, 'model.safetensors'), weights);
  const err = await t.throwsAsync(loadCheckpoint(dir), { instanceOf: ModelFormatError });
  t.is(err!.item, 'model.layers.1.mlp.up_proj.weight');
  t.is(err!.message, `${join(dir, 'model.safetensors')} [model.layers.1.mlp.up_proj.weight]: missing tensor (expected shape [24, 16] from ${join(dir, 'config.json')}; searched ${join(dir, 'model.safetensors')})`);
  t.is(config.intermediateSize, 24);
});

test('a config field contradicting the weights is an error naming file, tensor and field', async (t) => {
  const { dir } = await savedFolder(t);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, intermediate_size: 32 }));
  await t.throwsAsync(loadCheckpoint(dir), {
    message: `${join(dir, 'model.safetensors')} [model.layers.0.mlp.gate_proj.weight]: shape [24, 16] contradicts ${join(dir, 'config.json')} (intermediate_size=32, hidden_size=16), which implies [32, 16]`,
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 1 }));
  await t.throwsAsync(loadCheckpoint(dir), { message: /\[model\.layers\.1\.input_layernorm\.weight\]: unexpected tensor for .*config\.json: layer 1 but num_hidden_layers=1/ });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, attention_bias: true }));
  await t.throwsAsync(loadCheckpoint(dir), { message: /\[model\.layers\.0\.self_attn\.q_proj\.bias\]: missing tensor/ });
});

test('stray bias tensors contradict attention_bias=false', async (t) => {
  const { dir, weights } = await savedFolder(t);
  weights.set('model.layers.0.self_attn.q_proj.bias', { shape: [16], data: new Float32Array(16) });
  await writeSafetensors(join(dir, 'model.safetensors'), weights);
  await t.throwsAsync(loadCheckpoint(dir), { message: /\[model\.layers\.0\.self_attn\.q_proj\.bias\]: unexpected tensor .*a bias, but the config says attention_bias=false/ });
});

test('missing config field, unknown architecture, missing files: errors name file and field', async (t) => {
  const { dir } = await savedFolder(t);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  delete cfg.num_attention_heads;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  await t.throwsAsync(loadCheckpoint(dir), { message: `${join(dir, 'config.json')} [num_attention_heads]: required field is missing (a positive integer)` });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, num_attention_heads: 4, architectures: ['FalconForCausalLM'] }));
  await t.throwsAsync(loadCheckpoint(dir), { message: /config\.json \[architectures\]: unknown architecture "FalconForCausalLM"; supported: / });
  writeFileSync(join(dir, 'config.json'), '{ not json');
  await t.throwsAsync(loadCheckpoint(dir), { message: /config\.json: invalid JSON/ });
  rmSync(join(dir, 'config.json'));
  await t.throwsAsync(loadCheckpoint(dir), { message: /config\.json: cannot read/ });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, num_attention_heads: 4 }));
  rmSync(join(dir, 'model.safetensors'));
  await t.throwsAsync(loadCheckpoint(dir), { message: `${dir}: no model.safetensors or model.safetensors.index.json` });
});

test('saveHfCheckpoint checks weights before writing anything', async (t) => {
  const dir = tempDir(t);
  const config = tiny('qwen3-0.6b.json');
  const weights = randomWeights(config, 1);
  weights.set('model.norm.weight', { shape: [16], data: new Float32Array(15) });
  await t.throwsAsync(saveHfCheckpoint(join(dir, 'out'), config, weights), { message: /\[model\.norm\.weight\]: data has 15 values but shape \[16\] needs 16/ });
  weights.delete('model.norm.weight');
  await t.throwsAsync(saveHfCheckpoint(join(dir, 'out'), config, weights), { message: /\[model\.norm\.weight\]: missing tensor/ });
  t.false(existsSync(join(dir, 'out')));
});

test('writeFileAtomic leaves the old file intact when a write fails midway', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'model.safetensors');
  writeFileSync(path, 'old');
  await t.throwsAsync(writeFileAtomic(path, async (write) => { await write(Buffer.from('partial')); throw new Error('disk full'); }), { message: 'disk full' });
  t.is(readFileSync(path, 'utf8'), 'old');
  t.deepEqual(readdirSync(dir), ['model.safetensors']);
});

test('loadCheckpoint refuses PyTorch pickles and unknown file types by name', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'pytorch_model.bin'), 'PK');
  writeFileSync(join(dir, 'weights.pt'), 'PK');
  await t.throwsAsync(loadCheckpoint(join(dir, 'pytorch_model.bin')), { message: /pytorch_model\.bin: PyTorch pickle checkpoints are not supported/ });
  await t.throwsAsync(loadCheckpoint(join(dir, 'weights.pt')), { message: /weights\.pt: unknown checkpoint type/ });
  await t.throwsAsync(loadCheckpoint(join(dir, 'nothing')), { message: /nothing: no such file or folder/ });
});
