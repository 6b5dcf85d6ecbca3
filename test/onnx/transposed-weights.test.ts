// Weights read in the checkpoint's [out, in] layout (OnnxBackend.adoptTransposed): a small random model loaded
// from a file gives the logits and greedy tokens of the transposing path (host params uploaded in the decoder
// layout, and the cpu and webgpu backends, which transpose at load), with weights embedded or fed; matmuls on
// them lower to Gemm(transB=1) with no Transpose; other uses, downloads and plain feeds still see [in, out] values.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { OnnxBackend, type OnnxCompiledGraph } from '../../backends/onnx/onnx-backend.js';
import { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';
import { parseHfConfig, saveHfCheckpoint } from '../../core/model/checkpoint/index.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { weightsFromParams, type HostParams } from '../../core/model/decoder-weights.js';
import { createScratchModel } from '../../core/model/scratch-init.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { input } from '../../core/tensor/primitives.js';
import { gatedTest, webgpuSkipReason } from '../webgpu/webgpu-available.js';

const layout = {
  architectures: ['Qwen2ForCausalLM'], vocab_size: 96, hidden_size: 64, intermediate_size: 160, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 128,
};
const configs = {
  tied: parseHfConfig({ ...layout, tie_word_embeddings: true }, 'tied test config'),
  untied: parseHfConfig({ ...layout, tie_word_embeddings: false }, 'untied test config'),
};
const ids = [[3, 17, 42, 5, 88, 60, 1, 9, 33, 70, 12, 50], [7, 7, 90, 2]];
const webgpuSkip = await webgpuSkipReason(); // probed before any test is declared
let dir = '';
const params: Record<string, HostParams> = {};

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gramr-transposed-'));
  for (const [name, config] of Object.entries(configs)) {
    params[name] = createScratchModel(config, 11, 0.1); // std 0.1: logits far from uniform
    await saveHfCheckpoint(join(dir, name), config, weightsFromParams(config, params[name]!));
  }
});
test.after.always(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

async function run(model: CausalLM): Promise<{ logits: Float32Array[][]; tokens: number[][] }> {
  try {
    const logits = await model.forward(ids);
    const gen = await model.generate(ids, { maxTokens: 8, ignoreEos: true, temperature: 0 });
    return { logits, tokens: gen.map((g) => g.tokens) };
  } finally { model.dispose(); }
}

function maxDiff(a: Float32Array[][], b: Float32Array[][]): { diff: number; range: number } {
  let diff = 0, range = 0;
  a.forEach((row, r) => row.forEach((x, i) => x.forEach((v, j) => {
    diff = Math.max(diff, Math.abs(v - b[r]![i]![j]!));
    range = Math.max(range, Math.abs(v));
  })));
  return { diff, range };
}

for (const name of ['tied', 'untied'] as const) {
  for (const maxConstantBytes of [64 * 1024 * 1024, 0]) {
    const mode = maxConstantBytes === 0 ? 'fed' : 'embedded';
    test(`${name}, weights ${mode}: loading in the file's layout gives the transposing path's logits and tokens`, async (t) => {
      const onnx = new OnnxBackend({ threads: 1, maxConstantBytes });
      await onnx.init();
      const loaded = await CausalLM.load(join(dir, name), onnx, { tokenizer: false });
      t.truthy(onnx.adoptTransposed, 'the onnx backend reads weights as stored');
      const head = Object.keys(loaded.params).filter((n) => n.endsWith('q_proj.weight'));
      t.deepEqual(loaded.params[head[0]!]!.shape, [64, 64]);
      const graph = <OnnxCompiledGraph>loaded.program(`probe:${mode}`, (p) => [input('x', [2, 64], 'f32').matmul(p['model.layers.0.mlp.up_proj.weight']!)]);
      const ops = graph.lowered.model.nodes.map((n) => n.opType);
      t.true(ops.includes('Gemm') && !ops.includes('Transpose') && !ops.includes('MatMul'), `lowered as ${ops.join(', ')}`);
      const a = await run(loaded);
      const fromHost = CausalLM.fromParams(configs[name], onnx, params[name]!);
      const hostOps = (<OnnxCompiledGraph>fromHost.program(`probe:${mode}`, (p) => [input('x', [2, 64], 'f32').matmul(p['model.layers.0.mlp.up_proj.weight']!)])).lowered.model.nodes.map((n) => n.opType);
      t.deepEqual(hostOps, ['MatMul'], 'the reference path transposed its weights on the host');
      const b = await run(fromHost);
      const d = maxDiff(a.logits, b.logits);
      t.log(`max |logit| ${d.range.toFixed(3)}, max diff ${d.diff.toExponential(2)}`);
      t.true(d.range > 1, 'logits are not near zero');
      t.true(d.diff <= 1e-5 * d.range, `logits differ by ${d.diff}`);
      t.deepEqual(a.tokens, b.tokens);
      onnx.dispose();
    });
  }
}

const others: [string, () => ComputeBackend, string | undefined][] = [['cpu', () => new CpuBackend(), undefined], ['webgpu', () => new WebGpuBackend(), webgpuSkip]];
for (const [label, make, skip] of others) {
  gatedTest(skip, `the onnx backend reading [out, in] weights agrees with ${label}, which transposes at load`, async (t) => {
    const onnx = new OnnxBackend({ threads: 1 });
    await onnx.init();
    const ref = await run(await CausalLM.load(join(dir, 'tied'), onnx, { tokenizer: false }));
    onnx.dispose();
    const be = make();
    await be.init();
    t.is(be.adoptTransposed, undefined, `${label} transposes at load`);
    const other = await run(await CausalLM.load(join(dir, 'tied'), be, { tokenizer: false }));
    be.dispose();
    const d = maxDiff(ref.logits, other.logits);
    t.log(`${label}: max diff ${d.diff.toExponential(2)} of max |logit| ${d.range.toFixed(3)}`);
    t.true(d.diff <= 1e-4 * d.range, `${label} logits differ by ${d.diff}`);
    t.deepEqual(other.tokens, ref.tokens, label);
  });
}

test('a weight stored transposed: other uses, download and plain feeds see its [in, out] values; uploads are refused', async (t) => {
  const onnx = new OnnxBackend({ threads: 1 });
  await onnx.init();
  const stored = Float32Array.from([1, 2, 3, 4, 5, 6]); // [out 2, in 3] -> the [3, 2] matrix [[1, 4], [2, 5], [3, 6]]
  const w = onnx.adoptTransposed([3, 2], stored);
  t.deepEqual([...(await onnx.download(w))], [1, 4, 2, 5, 3, 6]);
  t.throws(() => onnx.upload(w, new Float32Array(6)), { message: /stored transposed .*read-only/ });
  const x = onnx.allocate([1, 3], 'f32');
  onnx.upload(x, Float32Array.from([1, 10, 100]));
  const wIn = input('w', [3, 2], 'f32'), xIn = input('x', [1, 3], 'f32');
  const outs = [xIn.matmul(wIn), wIn.add(0.5)];
  for (const bound of [true, false]) {
    const g = onnx.compile(outs, bound ? { constants: { w } } : {});
    const [y, z] = await onnx.run(g, bound ? { x } : { x, w });
    t.deepEqual([...(await onnx.download(y!))], [321, 654], `matmul (${bound ? 'bound' : 'fed'})`);
    t.deepEqual([...(await onnx.download(z!))], [1.5, 4.5, 2.5, 5.5, 3.5, 6.5], `add (${bound ? 'bound' : 'fed'})`);
    onnx.free(y!);
    onnx.free(z!);
  }
  t.deepEqual([...stored], [1, 2, 3, 4, 5, 6], 'the stored data is untouched');
  t.throws(() => onnx.adoptTransposed([3, 3], stored), { message: /cannot be an f32 \[3,3\] buffer stored transposed/ });
  onnx.dispose();
});
