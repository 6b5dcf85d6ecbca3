// `gramr export-onnx`: the written file loads in plain onnxruntime-node (no gramr code involved in running it),
// takes input_ids [batch, seq] and gives logits [batch, seq, vocab] that match gramr's CPU reference on
// stories260K and torch's logits on the parity fixtures (right-padded batch); standard ONNX ops only by default.
import 'reflect-metadata';
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { main } from '../../cli/main.js';
import { exportDecoderOnnx } from '../../backends/onnx/export-decoder.js';
import { loadCheckpoint } from '../../core/model/checkpoint/load-checkpoint.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { paramsFromWeights } from '../../core/model/decoder-weights.js';
import { maxDiff, PARITY, PARITY_ARCHS, parityExpected, REF, STORIES } from '../model/helpers.js';

let dir = '';
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'gramr-export-')); });
test.after.always(async () => { await rm(dir, { recursive: true, force: true }); });

const ids64 = (rows: readonly (readonly number[])[], seq: number): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(rows.flatMap((r) => Array.from({ length: seq }, (_, i) => BigInt(r[i] ?? 0)))), [rows.length, seq]);

test('stories260K: the exported file runs in plain onnxruntime and matches gramr (and llama2.c) logits', async (t) => {
  const file = join(dir, 'stories.onnx');
  t.is(await main(['export-onnx', '--model', STORIES, '--out', file, '--seq', '16']), 0);
  const session = await ort.InferenceSession.create(file);
  t.deepEqual([session.inputNames, session.outputNames], [['input_ids'], ['logits']]);
  const meta = session.inputMetadata[0] as unknown as { type: string; shape: number[] };
  t.deepEqual([meta.type, meta.shape], ['int64', [1, 16]]);
  const { logits } = await session.run({ input_ids: ids64([REF.promptIds], 16) });
  t.deepEqual(logits!.dims, [1, 16, 512]);
  const data = logits!.data as Float32Array;
  const cpu = new CpuBackend();
  await cpu.init();
  const model = await CausalLM.load(STORIES, cpu, { tokenizer: false });
  const [want] = await model.forward([REF.promptIds]);
  want!.forEach((row, i) => t.true(maxDiff(data.subarray(i * 512, (i + 1) * 512), row) <= 1e-4, `position ${i}`));
  const last = data.subarray(4 * 512, 5 * 512);
  t.true(maxDiff(last.subarray(0, 8), REF.lastLogits8) <= 1e-4, 'llama2.c run.c logits');
  t.is(last.indexOf(Math.max(...last)), REF.argmax);
  await session.release();
  model.dispose();
});

for (const arch of PARITY_ARCHS) {
  test(`${arch}: exported logits of a right-padded batch of 2 match torch within 1e-4`, async (t) => {
    const exp = parityExpected(arch);
    const file = join(dir, `${arch}.onnx`);
    t.is(await main(['export-onnx', '--model', join(PARITY, arch), '--out', file, '--seq', '8', '--batch', '2']), 0);
    const session = await ort.InferenceSession.create(file);
    const { logits } = await session.run({ input_ids: ids64(exp.prompts, 8) });
    const v = logits!.dims[2]!;
    const data = logits!.data as Float32Array;
    exp.logits.forEach((rows, b) => rows.forEach((row, i) => {
      const d = maxDiff(data.subarray((b * 8 + i) * v, (b * 8 + i + 1) * v), row);
      t.true(d <= 1e-4, `row ${b} position ${i}: max |diff| ${d}`);
    }));
    await session.release();
  });
}

test('standard ops unless asked; int32 ids; bad options are usage errors', async (t) => {
  const ckpt = await loadCheckpoint(join(PARITY, 'qwen3'));
  const params = paramsFromWeights(ckpt.config, ckpt.weights);
  const exp = parityExpected('qwen3');
  const plain = exportDecoderOnnx(ckpt.config, params, { seq: 8, idsType: 'int32' });
  const session = await ort.InferenceSession.create(plain);
  const ids = new ort.Tensor('int32', Int32Array.from({ length: 8 }, (_, i) => exp.prompts[0]![i] ?? 0), [1, 8]);
  const { logits } = await session.run({ input_ids: ids });
  const v = ckpt.config.vocabSize;
  t.true(maxDiff((logits!.data as Float32Array).subarray(0, v), exp.logits[0]![0]!) <= 1e-4);
  await session.release();
  const domains = (bytes: Uint8Array): boolean => Buffer.from(bytes).includes('com.microsoft');
  t.false(domains(plain), 'standard ONNX only');
  t.true(domains(exportDecoderOnnx(ckpt.config, params, { seq: 8, contribOps: true })), 'RotaryEmbedding with --contrib-ops');
  t.is(await main(['export-onnx', '--model', STORIES, '--out', join(dir, 'x.onnx'), '--seq', '4096']), 2);
  t.is(await main(['export-onnx', '--model', STORIES, '--out', join(dir, 'x.onnx'), '--ids', 'float']), 2);
  t.is(await main(['export-onnx', '--out', join(dir, 'x.onnx')]), 2);
});
