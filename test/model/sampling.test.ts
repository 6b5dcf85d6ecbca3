// Sampling: greedy ties, temperature / top-k / top-p frequencies against their exact distributions, seeded
// reproducibility, and the degenerate settings that must equal greedy.
import test from 'ava';
import { argmax, checkSampling, sampleToken } from '../../core/model/sampling.js';
import { Rng } from '../../core/tensor/rng.js';

const logits = [Math.log(1), Math.log(2), Math.log(3), -Infinity, Math.log(1e-9)];

function frequencies(opts: Parameters<typeof sampleToken>[1], n = 30000): number[] {
  const rng = new Rng(11);
  const counts = new Array(logits.length).fill(0) as number[];
  for (let i = 0; i < n; i++) counts[sampleToken(logits, opts, rng)]!++;
  return counts.map((c) => c / n);
}

const close = (got: number[], want: number[], tol = 0.012): boolean => got.every((g, i) => Math.abs(g - want[i]!) <= tol);

test('greedy: argmax, the first index on ties; temperature 0 is greedy', (t) => {
  t.is(argmax([1, 3, 3, 2]), 1);
  t.is(argmax([NaN, -1]), 1);
  t.is(sampleToken(logits, {}, new Rng(1)), 2);
  t.is(sampleToken(logits, { temperature: 0, topK: 3 }, new Rng(1)), 2);
});

test('temperature 1 draws softmax(logits); temperature 2 flattens it', (t) => {
  const f1 = frequencies({ temperature: 1 });
  t.true(close(f1, [1 / 6, 2 / 6, 3 / 6, 0, 0]), f1.join(' '));
  const z = 1 + Math.SQRT2 + Math.sqrt(3);
  const f2 = frequencies({ temperature: 2 });
  t.true(close(f2, [1 / z, Math.SQRT2 / z, Math.sqrt(3) / z, 0, 0]), f2.join(' '));
});

test('top-k keeps the k most likely; top-p the smallest set reaching p; both renormalize', (t) => {
  const k2 = frequencies({ temperature: 1, topK: 2 });
  t.true(close(k2, [0, 2 / 5, 3 / 5, 0, 0]), k2.join(' '));
  t.deepEqual(frequencies({ temperature: 1, topP: 0.5 }, 2000), [0, 0, 1, 0, 0], '3/6 reaches 0.5 alone');
  const p6 = frequencies({ temperature: 1, topP: 0.6 });
  t.true(close(p6, [0, 2 / 5, 3 / 5, 0, 0]), p6.join(' '));
  t.deepEqual(frequencies({ temperature: 1.5, topK: 1 }, 500), [0, 0, 1, 0, 0]);
});

test('the same seed gives the same draws; bad options are rejected with the valid range', (t) => {
  const draw = (seed: number): number[] => { const r = new Rng(seed); return Array.from({ length: 40 }, () => sampleToken(logits, { temperature: 1 }, r)); };
  t.deepEqual(draw(5), draw(5));
  t.notDeepEqual(draw(5), draw(6));
  t.throws(() => checkSampling({ topP: 0 }), { message: /topP must be in \(0, 1\]/ });
  t.throws(() => checkSampling({ temperature: -1 }), { message: /temperature must be a finite number >= 0/ });
  t.throws(() => checkSampling({ topK: 1.5 }), { message: /topK must be an integer >= 0/ });
});
