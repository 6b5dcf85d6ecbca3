// The proof score −log π(ẑ|s,l) / log π(ẑ) on a tiny model trained so its probabilities can be reasoned about:
// after every context "case k" (k = 0..7) it writes a context-specific proof ("k ok") or a generic one ("fine")
// half the time each; trained also without context (after a lone BOS) on the same proofs, it learns
// P(generic) ≈ 1/2 but P(specific k) ≈ 1/16 alone. In context both are ≈ 1/2, so the score must prefer the
// specific proof: ≈ −log(1/2)/log(1/16) = −0.25 against ≈ −1. (The context ends in the digit, so a one-layer model
// learns the dependence in a few hundred steps without having to learn attention-based copying.)
import test from 'ava';
import { CausalLM } from '../../core/model/causal-lm.js';
import type { SftExample } from '../../core/recipe/trainer.js';
import { aloneContextText, proofScore, scoreProofs } from '../../plugins/prover/proof-score.js';
import { cpuBackend, repeat, scratchModel, tempDir, trainFull } from './helpers.js';

test('proofScore: range (-inf, 0], higher for probable-in-context and improbable-alone proofs', (t) => {
  t.is(proofScore(-1, -4), -0.25);
  t.is(proofScore(-2, -4), -0.5);
  t.true(proofScore(-1, -8) > proofScore(-1, -4));
  t.is(Object.is(proofScore(0, -3), -0) || proofScore(0, -3) === 0, true);
  t.is(proofScore(-1, 0), -Infinity);
});

test('the score prefers a context-specific proof over a generic one (trained tiny model)', async (t) => {
  const dir = tempDir(t);
  const init = await scratchModel(`${dir}/init`, { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 32 }, 3);
  const bos = '<bos>';
  const ks = [0, 1, 2, 3, 4, 5, 6, 7];
  const specific = (k: number): string => `${k} ok`;
  const base: SftExample[] = ks.flatMap((k) => [
    { id: `c${k}s`, prompt: `case ${k}`, target: specific(k) },
    { id: `c${k}g`, prompt: `case ${k}`, target: 'fine' },
    { id: `a${k}s`, prompt: bos, target: specific(k) },
    { id: `a${k}g`, prompt: bos, target: 'fine' },
  ]);
  const started = Date.now();
  const report = await trainFull(init, repeat(base, 4), `${dir}/run`, { steps: 200, lr: 1e-2, batchSize: 16, maxLength: 32, warmup: 10, evalEvery: 0, checkpointEvery: 1000 });
  t.log(`trained ${report.steps} steps in ${Date.now() - started} ms, final loss ${report.finalLoss.toFixed(3)}, ${Math.round(report.tokensPerSecond)} tokens/s`);
  const model = await CausalLM.load(report.checkpoint, await cpuBackend());
  t.teardown(() => model.dispose());
  t.is(aloneContextText(model.tokenizer!), bos);
  const items = ks.flatMap((k) => [{ context: `case ${k}`, proof: specific(k) }, { context: `case ${k}`, proof: 'fine' }]);
  const scored = await scoreProofs(model, items, { batchSize: 16 });
  for (const k of ks) {
    const s = scored[2 * k]!, g = scored[2 * k + 1]!;
    t.log(`k=${k}: specific ctx ${s.logpContext.toFixed(2)} alone ${s.logpAlone.toFixed(2)} score ${s.score.toFixed(3)} | generic ctx ${g.logpContext.toFixed(2)} alone ${g.logpAlone.toFixed(2)} score ${g.score.toFixed(3)}`);
    // The mechanism: the generic proof is far more probable alone; in context both are about equally likely.
    t.true(g.logpAlone > s.logpAlone + 1, `k=${k}: alone, generic ${g.logpAlone} should beat specific ${s.logpAlone} by > 1 nat`);
    t.true(Math.abs(s.logpContext - g.logpContext) < 1, `k=${k}: in context both proofs should be about equally likely`);
    t.true(s.score > g.score, `k=${k}: specific score ${s.score} should beat generic ${g.score}`);
    for (const x of [s, g]) t.true(x.score <= 0 && x.logpContext < 0 && x.logpAlone < 0);
  }
  // A context-specific proof of the WRONG context is improbable in context and scores below the right one.
  const [wrong] = await scoreProofs(model, [{ context: 'case 3', proof: specific(5) }]);
  t.true(wrong!.score < scored[6]!.score, `a proof of another case scores ${wrong!.score}, below ${scored[6]!.score}`);
});
