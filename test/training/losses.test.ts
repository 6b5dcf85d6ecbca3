// The training losses against hand computations: GRAM v1's label smoothing over two label tokens equals
// −log σ(z_l − z_o) + ε(z_l − z_o); Bradley–Terry is −log σ(r_c − r_r) (stable at large margins); SFT's sum/count
// equals the decoder's mean causal-LM loss; label logits are the two LM-head columns; the LoRA dropout mask.
import test from 'ava';
import { causalLmLoss, decoderLogits } from '../../core/model/decoder.js';
import { createScratchModel, smallConfig } from '../../core/model/scratch-init.js';
import { evaluate, input, type NamedTensors } from '../../core/tensor/index.js';
import { bradleyTerryLoss, labelLogits, labelSmoothedLoss, meanLoss, negLogSigmoid, sftLoss } from '../../core/training/losses.js';
import { dropoutMask } from '../../core/training/lora.js';
import { cpu } from './helpers.js';

const logSig = (x: number): number => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));

test('label-smoothed loss = −(1−ε)log p(l) − ε log p(o) = −log σ(z_l − z_o) + ε(z_l − z_o), masked rows excluded', async (t) => {
  const z = [2.0, -1.0, 0.5, 0.25, -3.0, 4.0, 1.0, 1.0];
  const first = [1, 0, 1, 0], mask = [1, 1, 1, 0], eps = 0.05;
  const parts = labelSmoothedLoss(input('z', [4, 2]), input('first', [4]), input('mask', [4]), eps);
  const [sum, count, correct] = await evaluate(await cpu(), [parts.sum, parts.count, parts.correct!], { z, first, mask });
  let want = 0, right = 0;
  for (let b = 0; b < 3; b++) {
    const d = first[b] ? z[2 * b]! - z[2 * b + 1]! : z[2 * b + 1]! - z[2 * b]!;
    want += -logSig(d) + eps * d;
    if (d > 0) right++;
  }
  t.true(Math.abs(sum![0]! - want) < 1e-5, `${sum![0]} vs ${want}`);
  t.is(count![0], 3);
  t.is(correct![0], right);
  t.is(right, 1);
  t.throws(() => labelSmoothedLoss(input('z', [4, 2]), input('first', [4]), input('mask', [4]), 0.7), { message: /epsilon must be in \[0, 0.5\]/ });
});

test('Bradley–Terry loss = −log σ(r_c − r_r), stable at large margins', async (t) => {
  const rc = [1.5, -2, 100, 0], rr = [0.5, 1, -100, 0], mask = [1, 1, 1, 1];
  const parts = bradleyTerryLoss(input('rc', [4]), input('rr', [4]), input('mask', [4]));
  const [sum, correct, per] = await evaluate(await cpu(), [parts.sum, parts.correct!, negLogSigmoid(input('d', [3]))], { rc, rr, mask, d: [-100, 100, 0] });
  const want = rc.reduce((a, c, i) => a - logSig(c - rr[i]!), 0);
  t.true(Math.abs(sum![0]! - want) < 1e-5, `${sum![0]} vs ${want}`);
  t.is(correct![0], 2);
  t.true(Math.abs(per![0]! - 100) < 1e-4 && per![1]! < 1e-30 && Math.abs(per![2]! - Math.LN2) < 1e-6, [...per!].join(' '));
});

const config = smallConfig({ vocabSize: 20, hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, maxPositions: 32 });

function paramInputs(params: Record<string, { shape: number[] }>): NamedTensors {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, input(k, v.shape)]));
}

test('SFT loss sum / count equals the decoder\'s mean causal-LM loss; label logits are two LM-head columns', async (t) => {
  for (const tied of [true, false]) {
    const c = { ...config, tieWordEmbeddings: tied };
    const params = createScratchModel(c, 3, 0.3);
    const p = paramInputs(params);
    const ids = input('ids', [2, 6], 'i32'), targets = input('targets', [2, 6], 'i32'), last = input('last', [2], 'i32');
    const feeds = {
      ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.data])),
      ids: [1, 5, 7, 3, 0, 0, 2, 4, 6, 8, 10, 12], targets: [-100, 7, 3, -100, -100, -100, -100, -100, 8, 10, 12, 13], last: [3, 5],
    };
    const parts = sftLoss(c, p, ids, targets);
    const [mean, ref, count, two, logits] = await evaluate(await cpu(), [meanLoss(parts), causalLmLoss(c, p, ids, targets), parts.count,
      labelLogits(c, p, ids, last, [4, 9]), decoderLogits(c, p, ids)], feeds);
    t.is(count![0], 6);
    t.true(Math.abs(mean![0]! - ref![0]!) < 1e-5, `${mean![0]} vs ${ref![0]}`);
    const at = (b: number, pos: number, v: number): number => logits![(b * 6 + pos) * 20 + v]!;
    const want = [at(0, 3, 4), at(0, 3, 9), at(1, 5, 4), at(1, 5, 9)];
    t.true(want.every((w, i) => Math.abs(w - two![i]!) < 1e-5), `tied=${tied}: ${[...two!].join(' ')} vs ${want.join(' ')}`);
  }
});

test('LoRA dropout mask: keeps about 1 − p of the features scaled by 1/(1 − p), changes with the noise, repeats with it', async (t) => {
  const n = 4000, p = 0.25;
  const noise = input('noise', []);
  const [m1, m2, m3] = await evaluate(await cpu(), [dropoutMask(n, noise, 0, p), dropoutMask(n, noise, 1, p), dropoutMask(n, noise, 0, p)], { noise: [123.456] });
  const kept = [...m1!].filter((x) => x !== 0);
  t.true(kept.every((x) => Math.abs(x - 1 / (1 - p)) < 1e-6));
  t.true(Math.abs(kept.length / n - (1 - p)) < 0.03, `kept ${kept.length / n}`);
  t.deepEqual([...m1!], [...m3!]);
  const differ = [...m1!].filter((x, i) => (x === 0) !== (m2![i] === 0)).length;
  t.true(differ > n * 0.2, `streams differ in ${differ} features`);
  const [m4] = await evaluate(await cpu(), [dropoutMask(n, noise, 0, p)], { noise: [777.1] });
  t.true([...m1!].filter((x, i) => (x === 0) !== (m4![i] === 0)).length > n * 0.2);
});
