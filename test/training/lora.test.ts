// LoRA: training moves only the adapters (the frozen base buffers stay bit-identical), the `lora` trainer learns a
// label rule on held-out examples, its adapter folder is self-describing (PEFT layout + base sha256, tokenizer
// fingerprint, template) and refuses another base, and the merged checkpoint's logits equal base + adapter logits.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CausalLM } from '../../core/model/causal-lm.js';
import { loadCheckpoint } from '../../core/model/checkpoint/load-checkpoint.js';
import { readSafetensors } from '../../core/model/checkpoint/safetensors-file.js';
import { decoderLogits } from '../../core/model/decoder.js';
import { paramsFromWeights } from '../../core/model/decoder-weights.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import { AdamW, constantSchedule, evaluate, input } from '../../core/tensor/index.js';
import { baseModelSha256, tokenizerFingerprint } from '../../core/training/fingerprint.js';
import { loadLoraAdapter } from '../../core/training/lora-adapter.js';
import { mergeLoraCheckpoint } from '../../core/training/lora-merge.js';
import { initLoraParams, loraTargets, loraView, mergeLoraParams, type LoraSpec } from '../../core/training/lora.js';
import { sftLoss } from '../../core/training/losses.js';
import { TrainEngine } from '../../core/training/train-engine.js';
import { LoraTrainer } from '../../plugins/trainers/index.js';
import { cleanup, context, cpu, labelTask, tempDir, tinyBase } from './helpers.js';

test('LoRA steps change only the adapters: frozen base buffers stay bit-identical, B leaves zero, the loss falls', async (t) => {
  const dir = await tempDir('lora-engine');
  try {
    const ckpt = await loadCheckpoint(await tinyBase(dir));
    const config = ckpt.config, base = paramsFromWeights(config, ckpt.weights);
    const spec: LoraSpec = { r: 4, alpha: 8, dropout: 0.1, targets: ['q_proj', 'o_proj', 'up_proj'] };
    const adapters = initLoraParams(config, spec, 3);
    t.deepEqual(Object.keys(adapters).sort(), loraTargets(config, spec.targets).flatMap((x) => [x.a, x.b]).sort());
    t.true(Object.entries(adapters).every(([k, v]) => (k.endsWith('lora_B') ? v.data.every((x) => x === 0) : v.data.some((x) => x !== 0))));
    const spec2 = { ids: { shape: [2, 8], dtype: 'i32' as const }, targets: { shape: [2, 8], dtype: 'i32' as const } };
    const engine = new TrainEngine({
      backend: await cpu(), trainable: adapters, frozen: base, optimizer: new AdamW({ weightDecay: 0 }), lr: constantSchedule(1e-2),
      loss: (p, b, noise) => sftLoss(config, loraView(config, spec, p, noise), b.ids!, b.targets!), probe: spec2,
    });
    try {
      t.deepEqual(engine.trainableNames, Object.keys(adapters).sort());
      const data = { ids: [257, 1, 2, 3, 4, 5, 6, 7, 257, 9, 8, 7, 6, 5, 4, 3], targets: [1, 2, 3, 4, 5, 6, 7, -100, 9, 8, 7, 6, 5, 4, 3, -100] };
      const losses: number[] = [];
      let live = 0;
      for (let s = 0; s < 30; s++) {
        losses.push((await engine.step([{ key: 'x', spec: spec2, data }], s * 13.7)).loss);
        if (s === 1) live = (await cpu()).memory().buffers;
      }
      t.is((await cpu()).memory().buffers, live, 'no buffer is leaked per step');
      t.true(losses[29]! < losses[0]! - 0.2, `loss ${losses[0]} -> ${losses[29]}`);
      t.is(engine.stats.compiles, 1);
      const frozen = await engine.readFrozen();
      for (const [name, p] of Object.entries(base)) t.deepEqual(frozen[name], p.data, name);
      const trained = await engine.readTrainable();
      t.true(Object.keys(trained).filter((k) => k.endsWith('lora_B')).every((k) => trained[k]!.some((x) => x !== 0)));
    } finally {
      engine.dispose();
    }
  } finally {
    await cleanup(dir);
  }
});

test('the merge is W + (alpha/r)·A·B in [in, out] layout: x·W\' = x·W + s·(x·A)·B', (t) => {
  const w = Float32Array.from([1, 2, 3, 4, 5, 6]), a = Float32Array.from([0.5, -1, 2, 0.25]), b = Float32Array.from([1, 0, -2, 0.5, 1, 1]);
  // one targeted weight (up_proj of a hidden-2, intermediate-3 model): in 2, out 3, r 2
  const cfg = { architecture: 'LlamaForCausalLM', vocabSize: 4, hiddenSize: 2, intermediateSize: 3, numLayers: 1, numHeads: 1, numKvHeads: 1, headDim: 2, maxPositions: 8, rmsNormEps: 1e-5, ropeTheta: 10000, ropeStyle: 'half', attentionBias: false, attentionOutBias: false, mlpBias: false, qkNorm: false, tieWordEmbeddings: true, eosTokenIds: [] } as const;
  const name = 'model.layers.0.mlp.up_proj.weight';
  const merged = mergeLoraParams(cfg as never, { [name]: { shape: [2, 3], data: w } }, { r: 2, alpha: 3, dropout: 0, targets: ['up_proj'] },
    { 'model.layers.0.mlp.up_proj.lora_A': { data: a }, 'model.layers.0.mlp.up_proj.lora_B': { data: b } })[name]!.data;
  const x = [0.7, -1.3], s = 3 / 2;
  for (let o = 0; o < 3; o++) {
    const xa = [0, 1].map((k) => x[0]! * a[k]! + x[1]! * a[2 + k]!);
    const want = x[0]! * w[o]! + x[1]! * w[3 + o]! + s * (xa[0]! * b[o]! + xa[1]! * b[3 + o]!);
    const got = x[0]! * merged[o]! + x[1]! * merged[3 + o]!;
    t.true(Math.abs(got - want) < 1e-5, `out ${o}: ${got} vs ${want}`);
  }
});

async function labelAccuracy(model: CausalLM, examples: readonly { prompt: string; target: string }[]): Promise<number> {
  const tok = model.tokenizer!;
  const a = tok.encode('A', { addBos: false })[0]!, b = tok.encode('B', { addBos: false })[0]!;
  const logits = await model.forward(examples.map((e) => tok.encode(e.prompt)));
  return examples.filter((e, i) => {
    const last = logits[i]![logits[i]!.length - 1]!;
    return (last[a]! > last[b]! ? 'A' : 'B') === e.target;
  }).length / examples.length;
}

test('the lora trainer learns a label rule; the adapter is self-describing, refuses another base, and merges exactly', async (t) => {
  const dir = await tempDir('lora');
  try {
    const base = await tinyBase(dir);
    const train = labelTask(160, 1), held = labelTask(40, 2);
    const be = await cpu();
    const baseModel = await CausalLM.load(base, be);
    const before = await labelAccuracy(baseModel, held);
    baseModel.dispose();
    const options = { objective: 'label-smoothed', lr: 1e-2, steps: 60, batchSize: 16, evalEvery: 30, r: 4, alpha: 8, merge: true, template: 'plain-test' };
    const report = await new LoraTrainer().train({ modelPath: base, train, evalSet: held, outDir: join(dir, 'out'), options }, await context(4));
    t.is(report.stopReason, 'done');
    t.true(report.evals[1]!.accuracy! >= 0.9, JSON.stringify(report.evals));
    // the adapter folder: PEFT names and layout + the gramr block
    const cfg = JSON.parse(await readFile(join(report.checkpoint, 'adapter_config.json'), 'utf8')) as Record<string, any>;
    t.like(cfg, { peft_type: 'LORA', r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] });
    t.is(cfg.gramr.base_model_sha256, await baseModelSha256(base));
    t.is(cfg.gramr.tokenizer_fingerprint, tokenizerFingerprint(await loadTokenizer(base)));
    t.is(cfg.gramr.template, 'plain-test');
    const tensors = await readSafetensors(join(report.checkpoint, 'adapter_model.safetensors'));
    t.is(tensors.size, 14);
    t.deepEqual(tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')!.shape, [4, 32]);
    t.deepEqual(tensors.get('base_model.model.model.layers.0.mlp.down_proj.lora_B.weight')!.shape, [32, 4]);
    const adapter = await loadLoraAdapter(report.checkpoint);
    t.deepEqual(adapter.weights['model.layers.0.mlp.down_proj.lora_B']!.shape, [4, 32]);
    // the merged checkpoint answers the held-out labels; the untrained base is near chance
    const merged = await CausalLM.load(report.mergedCheckpoint!, be);
    const after = await labelAccuracy(merged, held);
    t.true(before <= 0.75, `untrained accuracy ${before}`);
    t.true(after >= 0.9, `trained accuracy ${after}`);
    // merged logits = base + adapter logits (adapters applied in the graph, not merged)
    const ckpt = await loadCheckpoint(base);
    const params = paramsFromWeights(ckpt.config, ckpt.weights);
    const inputs = Object.fromEntries([...Object.entries(params), ...Object.entries(adapter.weights)].map(([k, v]) => [k, input(k, v.shape)]));
    const ids = [[257, ...Buffer.from('abcd\nlabel: ')], [257, ...Buffer.from('nopq\nlabel: ')]];
    const [viaAdapter] = await evaluate(be, [decoderLogits(ckpt.config, loraView(ckpt.config, adapter.spec, inputs, undefined), input('ids', [2, 13], 'i32'))], {
      ...Object.fromEntries([...Object.entries(params), ...Object.entries(adapter.weights)].map(([k, v]) => [k, v.data])), ids: ids.flat(),
    });
    const viaMerged = await merged.forward(ids);
    let maxDiff = 0;
    viaMerged.forEach((row, b) => row.forEach((l, p) => l.forEach((v, k) => { maxDiff = Math.max(maxDiff, Math.abs(v - viaAdapter![(b * 13 + p) * 259 + k]!)); })));
    t.true(maxDiff <= 1e-5, `max |merged - base+adapter| = ${maxDiff}`);
    merged.dispose();
    // only the targeted projections differ between base and merged; mergeLoraCheckpoint writes the same file
    const m = await loadCheckpoint(report.mergedCheckpoint!);
    for (const [name, w] of ckpt.weights) {
      const changed = !m.weights.get(name)!.data.every((x, i) => x === w.data[i]);
      t.is(changed, /_proj\.weight$/.test(name), name);
    }
    await mergeLoraCheckpoint(base, report.checkpoint, join(dir, 'merged2'), await loadTokenizer(base));
    t.true((await readFile(join(dir, 'merged2/model.safetensors'))).equals(await readFile(join(report.mergedCheckpoint!, 'model.safetensors'))));
    // another base (another seed) is refused, naming both hashes
    const other = await tinyBase(join(dir, 'other'), 2);
    await t.throwsAsync(mergeLoraCheckpoint(other, report.checkpoint, join(dir, 'bad')), { message: /trained on a different base model \(base sha256 [0-9a-f]{16}…, trained from .*\), but .*other\/base has sha256 [0-9a-f]{16}…/ });
  } finally {
    await cleanup(dir);
  }
});
