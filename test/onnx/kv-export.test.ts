// The folder `gramr export-onnx --out DIR` writes, run with plain onnxruntime-node: optimum's input/output names
// and symbolic dims, logits equal to torch's on the parity fixtures (Llama GQA, Qwen2 biases, Qwen3 QK-norm)
// whether the prompt runs at once, through the KV cache one token at a time, or left-padded in a batch; a sliding
// window hides exactly the keys outside it; external data gives the same model; folder-only and file-only options
// are usage errors.
import 'reflect-metadata';
import test from 'ava';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decoderKvGraph } from '../../backends/onnx/decoder-graph.js';
import { encodeModel } from '../../backends/onnx/onnx-model.js';
import { main } from '../../cli/main.js';
import { parseHfConfig } from '../../core/model/checkpoint/model-config.js';
import { createScratchModel } from '../../core/model/scratch-init.js';
import { maxDiff, PARITY, PARITY_ARCHS, parityExpected, STORIES } from '../model/helpers.js';

let dir = '';
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'gramr-kv-export-')); });
test.after.always(async () => { await rm(dir, { recursive: true, force: true }); });

interface Kv { layers: number; heads: number; headDim: number }
type Feeds = Record<string, ort.Tensor>;

const i64 = (rows: readonly (readonly number[])[]): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);

function emptyPast(kv: Kv, batch: number): Feeds {
  const feeds: Feeds = {};
  for (let i = 0; i < kv.layers; i++) {
    for (const n of ['key', 'value']) feeds[`past_key_values.${i}.${n}`] = new ort.Tensor('float32', new Float32Array(0), [batch, kv.heads, 0, kv.headDim]);
  }
  return feeds;
}

// Runs ids [B, T] (mask [B, past + T], positions [B, T]) after `past`; returns logits and the presents as the next past.
async function step(s: ort.InferenceSession, ids: number[][], mask: number[][], positions: number[][], past: Feeds): Promise<{ logits: ort.Tensor; past: Feeds }> {
  const out = await s.run({ input_ids: i64(ids), attention_mask: i64(mask), position_ids: i64(positions), ...past });
  const next: Feeds = {};
  for (const [name, v] of Object.entries(out)) if (name.startsWith('present.')) next[name.replace('present.', 'past_key_values.')] = v;
  return { logits: out.logits!, past: next };
}

const row = (logits: ort.Tensor, b: number, t: number): Float32Array => {
  const [, tt, v] = logits.dims as [number, number, number];
  return (logits.data as Float32Array).subarray((b * tt + t) * v, (b * tt + t + 1) * v);
};

async function exportArch(arch: string): Promise<{ session: ort.InferenceSession; kv: Kv }> {
  const out = join(dir, arch);
  if (await main(['export-onnx', '--model', join(PARITY, arch), '--out', out]) !== 0) throw new Error(`export of ${arch} failed`);
  const cfg = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as Record<string, number>;
  const kv = { layers: cfg.num_hidden_layers!, heads: cfg.num_key_value_heads!, headDim: cfg.head_dim! };
  return { session: await ort.InferenceSession.create(join(out, 'onnx', 'model.onnx')), kv };
}

test('stories260K folder: optimum names, int64 inputs and symbolic dims', async (t) => {
  const out = join(dir, 'stories');
  t.is(await main(['export-onnx', '--model', STORIES, '--out', out]), 0);
  t.deepEqual((await readdir(out)).sort(), ['config.json', 'generation_config.json', 'onnx', 'tokenizer.json', 'tokenizer_config.json']);
  const s = await ort.InferenceSession.create(join(out, 'onnx', 'model.onnx'));
  const past = Array.from({ length: 5 }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat();
  t.deepEqual(s.inputNames, ['input_ids', 'attention_mask', 'position_ids', ...past]);
  t.deepEqual(s.outputNames, ['logits', ...past.map((n) => n.replace('past_key_values', 'present'))]);
  const meta = (m: readonly ort.InferenceSession.ValueMetadata[]): unknown[] => m.map((x) => (x.isTensor ? [x.type, x.shape] : undefined));
  t.deepEqual(meta(s.inputMetadata).slice(0, 4), [
    ['int64', ['batch_size', 'sequence_length']], ['int64', ['batch_size', 'total_sequence_length']],
    ['int64', ['batch_size', 'sequence_length']], ['float32', ['batch_size', 4, 'past_sequence_length', 8]],
  ]);
  t.deepEqual(meta(s.outputMetadata).slice(0, 2), [['float32', ['batch_size', 'sequence_length', 512]], ['float32', ['batch_size', 4, 'total_sequence_length', 8]]]);
  await s.release();
});

for (const arch of PARITY_ARCHS) {
  test(`${arch}: logits match torch within 1e-4 at once, through the cache token by token, and left-padded in a batch`, async (t) => {
    const { session, kv } = await exportArch(arch);
    const exp = parityExpected(arch);
    const near = (got: Float32Array, want: readonly number[], what: string): void => {
      const d = maxDiff(got, want);
      t.true(d <= 1e-4, `${what}: max |diff| ${d}`);
    };
    for (const [p, prompt] of exp.prompts.entries()) {
      const n = prompt.length, pos = [Array.from({ length: n }, (_, i) => i)];
      const whole = await step(session, [prompt], [prompt.map(() => 1)], pos, emptyPast(kv, 1));
      prompt.forEach((_, i) => near(row(whole.logits, 0, i), exp.logits[p]![i]!, `prompt ${p} position ${i} at once`));
      // the first two tokens as a prefill, then one token per run against the cache
      let r = await step(session, [prompt.slice(0, 2)], [[1, 1]], [[0, 1]], emptyPast(kv, 1));
      for (let i = 2; i < n; i++) {
        r = await step(session, [[prompt[i]!]], [Array.from({ length: i + 1 }, () => 1)], [[i]], r.past);
        near(row(r.logits, 0, 0), exp.logits[p]![i]!, `prompt ${p} position ${i} from the cache`);
      }
    }
    // both prompts in one batch, the shorter left-padded with id 0 (positions count real tokens only, as transformers.js makes them)
    const width = Math.max(...exp.prompts.map((q) => q.length));
    const pad = exp.prompts.map((q) => width - q.length);
    const ids = exp.prompts.map((q, b) => [...Array<number>(pad[b]!).fill(0), ...q]);
    const mask = pad.map((k) => Array.from({ length: width }, (_, i) => (i < k ? 0 : 1)));
    const positions = pad.map((k) => Array.from({ length: width }, (_, i) => Math.max(i - k, 0)));
    const batch = await step(session, ids, mask, positions, emptyPast(kv, 2));
    exp.prompts.forEach((q, b) => q.forEach((_, i) => near(row(batch.logits, b, pad[b]! + i), exp.logits[b]![i]!, `batch row ${b} position ${i}`)));
    t.false(Array.from(batch.logits.data as Float32Array).some(Number.isNaN), 'padding rows stay numbers');
    await session.release();
  });
}

test('external data: onnx/model.onnx_data holds the weights and gives the same logits', async (t) => {
  const inline = join(dir, 'inline'), ext = join(dir, 'ext');
  t.is(await main(['export-onnx', '--model', STORIES, '--out', inline]), 0);
  t.is(await main(['export-onnx', '--model', STORIES, '--out', ext, '--external-data']), 0);
  t.deepEqual((await readdir(join(ext, 'onnx'))).sort(), ['model.onnx', 'model.onnx_data']);
  const [small, data] = await Promise.all([readFile(join(ext, 'onnx', 'model.onnx')), readFile(join(ext, 'onnx', 'model.onnx_data'))]);
  t.true(small.length < 100_000 && data.length > 1_000_000, `model ${small.length} B, data ${data.length} B`);
  const cfg = JSON.parse(await readFile(join(ext, 'config.json'), 'utf8')) as Record<string, unknown>;
  t.deepEqual(cfg['transformers.js_config'], { use_external_data_format: true });
  const kv = { layers: 5, heads: 4, headDim: 8 };
  const run = async (folder: string): Promise<Float32Array> => {
    const s = await ort.InferenceSession.create(join(folder, 'onnx', 'model.onnx'));
    const { logits } = await step(s, [[1, 403, 407, 261, 378]], [[1, 1, 1, 1, 1]], [[0, 1, 2, 3, 4]], emptyPast(kv, 1));
    await s.release();
    return logits.data as Float32Array;
  };
  const [a, b] = await Promise.all([run(inline), run(ext)]);
  t.is(a.length, 5 * 512);
  t.deepEqual(Array.from(b), Array.from(a));
});

test('sliding window: with one layer, a query sees exactly the last W keys (the same logits as feeding only those tokens)', async (t) => {
  const W = 3, n = 8;
  const json = { architectures: ['MistralForCausalLM'], vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, sliding_window: W };
  const windowed = parseHfConfig(json, 'mistral test config');
  const full = parseHfConfig({ ...json, sliding_window: null }, 'mistral test config');
  const params = createScratchModel(windowed, 7, 0.5);
  const [sw, plain] = await Promise.all([windowed, full].map((c) => ort.InferenceSession.create(encodeModel(decoderKvGraph(c, params)))));
  const kv = { layers: 1, heads: 2, headDim: 4 };
  const ids = [3, 17, 5, 29, 11, 2, 23, 8];
  const all = await step(sw!, [ids], [ids.map(() => 1)], [ids.map((_, i) => i)], emptyPast(kv, 1));
  const unwindowed = await step(plain!, [ids], [ids.map(() => 1)], [ids.map((_, i) => i)], emptyPast(kv, 1));
  for (let q = W; q < n; q++) {
    const from = q - W + 1, last = ids.slice(from, q + 1);
    const alone = await step(plain!, [last], [last.map(() => 1)], [last.map((_, i) => from + i)], emptyPast(kv, 1));
    const d = maxDiff(row(all.logits, 0, q), row(alone.logits, 0, W - 1));
    t.true(d <= 1e-5, `query ${q}: max |diff| ${d}`);
    t.true(maxDiff(row(all.logits, 0, q), row(unwindowed.logits, 0, q)) > 1e-3, `query ${q}: the window changes the logits`);
  }
  await Promise.all([sw!.release(), plain!.release()]);
});

test('folder and static-file options do not mix', async (t) => {
  t.is(await main(['export-onnx', '--model', STORIES, '--out', join(dir, 'x'), '--seq', '16']), 2);
  t.is(await main(['export-onnx', '--model', STORIES, '--out', join(dir, 'x.onnx'), '--tokenizer', STORIES]), 2);
});
