// The report's statistics against hand-computed values: cluster-robust standard error on tiny examples, the exact
// sign / McNemar p-value from the binomial, a seeded paired bootstrap (reproducible, close to the analytic standard
// error), and the verdict rule.
import test from 'ava';
import { binomialTwoSided, bootstrapMean, clusterMean, quantile, signTest, verdictOf } from '../../plugins/report/paired-stats.js';

test('clusterMean: the two orders of a pair are one cluster', (t) => {
  // Pairs with 2, 1, 0, 2 of their 2 orders correct: p = 5/8; residuals sᵢ − p·mᵢ = .75, −.25, −1.25, .75;
  // Σ² = 2.75; se = √(4/3 · 2.75) / 8 = 0.239357 (the naive binomial over 8 judgments would say 0.171).
  const m = clusterMean([{ sum: 2, count: 2 }, { sum: 1, count: 2 }, { sum: 0, count: 2 }, { sum: 2, count: 2 }]);
  t.is(m.mean, 0.625);
  t.is(m.clusters, 4);
  t.is(m.judgments, 8);
  t.true(Math.abs(m.se! - 0.239357) < 1e-6, String(m.se));
  // Equal sizes: the same as the sample sd of the per-pair means (1, .5, 0, 1) over √4.
  const ys = [1, 0.5, 0, 1];
  const sd = Math.sqrt(ys.reduce((s, y) => s + (y - 0.625) ** 2, 0) / 3);
  t.true(Math.abs(m.se! - sd / 2) < 1e-12);
  // Unequal clusters (1/1, 1/2, 0/2): p = 0.4; residuals .6, .2, −.8; Σ² = 1.04; se = √(3/2 · 1.04) / 5 = 0.249800.
  const u = clusterMean([{ sum: 1, count: 1 }, { sum: 1, count: 2 }, { sum: 0, count: 2 }]);
  t.true(Math.abs(u.mean - 0.4) < 1e-12);
  t.true(Math.abs(u.se! - 0.2498) < 1e-6, String(u.se));
  t.is(clusterMean([{ sum: 1, count: 2 }]).se, undefined);
});

test('binomialTwoSided / signTest: exact p-values computed by hand', (t) => {
  // McNemar 8 vs 2 discordant pairs: 2 · (C(10,0) + C(10,1) + C(10,2)) / 2^10 = 2 · 56 / 1024.
  t.true(Math.abs(binomialTwoSided(8, 10) - 112 / 1024) < 1e-12);
  t.true(Math.abs(binomialTwoSided(2, 10) - 112 / 1024) < 1e-12);
  // 9 vs 1: 2 · 11 / 1024.
  t.true(Math.abs(binomialTwoSided(9, 10) - 22 / 1024) < 1e-12);
  t.true(Math.abs(binomialTwoSided(0, 20) - 2 / 2 ** 20) < 1e-18);
  t.is(binomialTwoSided(5, 10), 1);
  t.is(binomialTwoSided(0, 0), 1);
  // Large n stays finite (no 2^-n underflow in the sum): 1000 trials, 560 successes is about 3.8 s.d. out.
  const big = binomialTwoSided(560, 1000);
  t.true(big > 1e-4 && big < 2e-4, String(big));
  t.throws(() => binomialTwoSided(3, 2), { message: /0 ≤ k ≤ n/ });
  // Per-pair differences (accuracy over two orders): ties are dropped, wins 3 / losses 1 -> 2 · 5/16.
  const s = signTest([0.5, 1, 0, 0, -0.5, 1]);
  t.deepEqual({ wins: s.wins, losses: s.losses, ties: s.ties }, { wins: 3, losses: 1, ties: 2 });
  t.true(Math.abs(s.p - 0.625) < 1e-12);
});

test('bootstrapMean: reproducible with its seed, close to the analytic standard error', (t) => {
  // 100 outcomes, 30 ones: the bootstrap s.e. of the mean tends to √(0.3 · 0.7 / 100) = 0.045826.
  const values = Array.from({ length: 100 }, (_, i) => (i < 30 ? 1 : 0));
  const a = bootstrapMean(values, 4000, 17);
  t.deepEqual(bootstrapMean(values, 4000, 17), a);
  t.notDeepEqual(bootstrapMean(values, 4000, 18), a);
  t.true(Math.abs(a.se - 0.045826) / 0.045826 < 0.05, String(a.se));
  // The percentile interval is close to 0.3 ± 1.96 · 0.0458 = [0.210, 0.390].
  t.true(Math.abs(a.lo - 0.21) < 0.02 && Math.abs(a.hi - 0.39) < 0.02, `${a.lo} ${a.hi}`);
  t.is(a.resamples, 4000);
  t.throws(() => bootstrapMean([], 10, 1), { message: /no values/ });
});

test('quantile: linear interpolation between order statistics', (t) => {
  t.is(quantile([1, 2, 3, 4, 5], 0.5), 3);
  t.is(quantile([0, 10], 0.25), 2.5);
});

test('verdictOf: holds / contradicted need p < alpha in the direction of the difference', (t) => {
  const sig = { wins: 12, losses: 0, ties: 28, p: 0.0005 };
  t.is(verdictOf(0.3, sig, 0.05), 'holds');
  t.is(verdictOf(-0.3, { wins: 0, losses: 12, ties: 28, p: 0.0005 }, 0.05), 'contradicted');
  t.is(verdictOf(0.3, { ...sig, p: 0.06 }, 0.05), 'not shown');
  // The mean and the sign test point different ways: not shown.
  t.is(verdictOf(0.01, { wins: 2, losses: 14, ties: 0, p: 0.004 }, 0.05), 'not shown');
});
