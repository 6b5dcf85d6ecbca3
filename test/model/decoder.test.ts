// The decoder's pieces: RoPE frequency scaling, parameter layout conversions, seeded scratch init and config
// checks, and training a scratch model with TrainStep (prompt tokens masked by ignore-index) until it generates.
import test from 'ava';
import { CausalLM } from '../../core/model/causal-lm.js';
import { causalLmLoss } from '../../core/model/decoder.js';
import { decoderParamSpecs, paramsFromWeights, weightsFromParams } from '../../core/model/decoder-weights.js';
import { ropeFrequencies } from '../../core/model/rope-frequencies.js';
import { createScratchModel, smallConfig } from '../../core/model/scratch-init.js';
import { AdamW, evaluate, input, TrainStep } from '../../core/tensor/index.js';
import { Rng } from '../../core/tensor/rng.js';
import { cpu, maxDiff } from './helpers.js';

test('RoPE frequencies: plain, linear and Llama-3 scaling (short kept, long divided, middle band blended)', (t) => {
  const base = { headDim: 8, ropeTheta: 10000 };
  t.true(maxDiff(ropeFrequencies(base), [1, 0.1, 0.01, 0.001]) < 1e-15);
  t.true(maxDiff(ropeFrequencies({ ...base, ropeScaling: { type: 'linear', factor: 4 } }), [0.25, 0.025, 0.0025, 0.00025]) < 1e-15);
  const l3 = ropeFrequencies({ ...base, ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 128 } });
  // wavelength 2*pi/0.1 = 62.83 lies between 128/4 and 128/1: smooth = (128/62.83 - 1) / 3
  const smooth = (128 / (2 * Math.PI / 0.1) - 1) / 3;
  t.true(maxDiff(l3, [1, (1 - smooth) * 0.1 / 8 + smooth * 0.1, 0.01 / 8, 0.001 / 8]) < 1e-15, l3.join(' '));
});

const config = smallConfig({ vocabSize: 12, hiddenSize: 16, intermediateSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositions: 64 });

test('parameters: HF [out, in] projections become [in, out]; conversions round-trip; scratch init is seeded', (t) => {
  const a = createScratchModel(config, 5), b = createScratchModel(config, 5), c = createScratchModel(config, 6);
  t.deepEqual(Object.keys(a), decoderParamSpecs(config).map((s) => s.name));
  t.deepEqual(a, b);
  t.notDeepEqual(a['model.layers.0.self_attn.q_proj.weight']!.data, c['model.layers.0.self_attn.q_proj.weight']!.data);
  t.deepEqual(a['model.layers.1.self_attn.k_proj.weight']!.shape, [16, 8]);
  t.true(a['model.norm.weight']!.data.every((x) => x === 1));
  const w = weightsFromParams(config, a);
  const q = w.get('model.layers.0.self_attn.k_proj.weight')!;
  t.deepEqual(q.shape, [8, 16]);
  t.is(q.data[3 * 16 + 5], a['model.layers.0.self_attn.k_proj.weight']!.data[5 * 8 + 3]);
  t.deepEqual(paramsFromWeights(config, w), a);
  t.throws(() => paramsFromWeights(config, new Map()), { message: /'model\.embed_tokens\.weight' is missing \(expected shape \[12, 16\]\)/ });
  t.throws(() => smallConfig({ vocabSize: 8, hiddenSize: 16, intermediateSize: 8, numLayers: 1, numHeads: 3 }), { message: /headDim must be a positive integer/ });
  t.throws(() => smallConfig({ vocabSize: 8, hiddenSize: 16, intermediateSize: 8, numLayers: 1, numHeads: 4, numKvHeads: 3 }), { message: /multiple of numKvHeads/ });
});

// Rows count up by a per-row step: x[t+1] = (x[t] + s) mod 12. The first 3 targets (the "prompt") are masked.
function batch(rng: Rng, n: number, len: number): { ids: Int32Array; targets: Int32Array } {
  const ids = new Int32Array(n * len), targets = new Int32Array(n * len);
  for (let r = 0; r < n; r++) {
    let x = rng.int(12);
    const s = 1 + rng.int(2);
    for (let i = 0; i < len; i++) {
      ids[r * len + i] = x;
      x = (x + s) % 12;
      targets[r * len + i] = i < 3 ? -100 : x;
    }
  }
  return { ids, targets };
}

test('a scratch model trains with TrainStep (masked prompt), then generates the learned pattern', async (t) => {
  const be = await cpu();
  const len = 10, n = 16;
  const step = new TrainStep({
    backend: be, params: createScratchModel(config, 1, 0.1),
    batch: { ids: { shape: [n, len], dtype: 'i32' }, targets: { shape: [n, len], dtype: 'i32' } },
    loss: (p, b) => causalLmLoss(config, p, b.ids!, b.targets!),
    optimizer: new AdamW({ weightDecay: 0 }), lr: 1e-2,
  });
  const rng = new Rng(3);
  const losses: number[] = [];
  for (let i = 0; i < 120; i++) losses.push((await step.step(batch(rng, n, len))).loss);
  t.true(losses[0]! > 2 && losses.at(-1)! < 0.3, `loss ${losses[0]} -> ${losses.at(-1)}`);
  const model = CausalLM.fromParams(config, be, await step.readParams());
  step.dispose();
  const [up1, up2] = await model.generate([[3, 4, 5], [2, 4, 6]], { maxTokens: 5 });
  t.deepEqual(up1!.tokens, [6, 7, 8, 9, 10]);
  t.deepEqual(up2!.tokens, [8, 10, 0, 2, 4]);
  // The masked training loss is the mean negative log-probability of the unmasked targets.
  const b = batch(new Rng(9), 2, len);
  const p = model.paramTensors();
  const [loss] = await evaluate(be, [causalLmLoss(config, p, input('ids', [2, len], 'i32'), input('targets', [2, len], 'i32'))],
    { ...Object.fromEntries(await Promise.all(Object.entries(model.params).map(async ([k, v]) => [k, await be.download(v)]))), ids: b.ids, targets: b.targets });
  // Each row's full sequence is its ids plus the last target; targets at positions 3.. are scored.
  const rows = [0, 1].map((r) => [...b.ids.subarray(r * len, (r + 1) * len), b.targets[(r + 1) * len - 1]!]);
  const scores = await model.logprobs(rows.map((ids) => ({ prompt: ids.slice(0, 4), continuation: ids.slice(4) })));
  const nll = -scores.reduce((a, s) => a + s.sum, 0) / scores.reduce((a, s) => a + s.tokens.length, 0);
  t.true(Math.abs(loss![0]! - nll) < 1e-5, `${loss![0]} vs ${nll}`);
  model.dispose();
});
