// The report's statistics over pairs: the mean of per-pair outcomes with a cluster-robust standard error (a pair's
// orders are one cluster), the exact two-sided sign test on paired differences (McNemar's exact test when the
// outcomes are 0/1), a seeded percentile bootstrap of a mean, and the verdict a paired comparison earns.
// docs/reading-the-report.md states each formula. Pure arithmetic.
import { Rng } from '../../core/tensor/rng.js';

/** One cluster (a pair): `sum` of its outcomes (e.g. correct orders) over `count` judgments. */
export interface Cluster {
  /** Sum of the cluster's outcomes. */
  sum: number;
  /** Judgments in the cluster (> 0). */
  count: number;
}

/** A mean over clusters with its standard error. */
export interface ClusterMean {
  /** Σ sum / Σ count (the pooled mean over judgments). */
  mean: number;
  /** Cluster-robust standard error; undefined with fewer than two clusters. */
  se: number | undefined;
  /** Clusters (pairs). */
  clusters: number;
  /** Judgments (Σ count). */
  judgments: number;
}

/**
 * Pooled mean p = Σsᵢ / Σmᵢ with the cluster-robust (CR1) standard error
 * √(G/(G−1) · Σ(sᵢ − p·mᵢ)²) / Σmᵢ over G clusters. With equal cluster sizes this is the sample standard deviation
 * of the per-cluster means over √G: the two orders of a pair count as one observation, not two.
 */
export function clusterMean(clusters: readonly Cluster[]): ClusterMean {
  const g = clusters.length;
  const total = clusters.reduce((s, c) => s + c.count, 0);
  if (g === 0 || total === 0) return { mean: Number.NaN, se: undefined, clusters: g, judgments: total };
  const mean = clusters.reduce((s, c) => s + c.sum, 0) / total;
  if (g < 2) return { mean, se: undefined, clusters: g, judgments: total };
  const ss = clusters.reduce((s, c) => s + (c.sum - mean * c.count) ** 2, 0);
  return { mean, se: Math.sqrt((g / (g - 1)) * ss) / total, clusters: g, judgments: total };
}

/** log(n choose k) for integers 0 ≤ k ≤ n. */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** Exact two-sided binomial p-value of k successes in n trials under p = ½: min(1, 2·P(X ≤ min(k, n−k))). */
export function binomialTwoSided(k: number, n: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || k > n) throw new Error(`binomialTwoSided: need integers 0 ≤ k ≤ n (got k=${k}, n=${n})`);
  if (n === 0) return 1;
  const m = Math.min(k, n - k);
  // Sum P(X = i) for i ≤ m in log space (2^-n underflows for large n).
  const logs: number[] = [];
  let lc = 0;
  for (let i = 0; i <= m; i++) {
    if (i > 0) lc += Math.log(n - i + 1) - Math.log(i);
    logs.push(lc - n * Math.LN2);
  }
  const top = Math.max(...logs);
  const tail = Math.exp(top) * logs.reduce((s, l) => s + Math.exp(l - top), 0);
  return Math.min(1, 2 * tail);
}

/** The exact sign test on paired differences. */
export interface SignTest {
  /** Pairs where the first model did better (difference > 0). */
  wins: number;
  /** Pairs where it did worse. */
  losses: number;
  /** Pairs with no difference (left out of the test). */
  ties: number;
  /** Two-sided exact p-value (1 when every pair ties). */
  p: number;
}

/** Exact two-sided sign test on `diffs`: wins ~ Binomial(wins + losses, ½) under no difference; ties are dropped. */
export function signTest(diffs: readonly number[]): SignTest {
  const wins = diffs.filter((d) => d > 0).length;
  const losses = diffs.filter((d) => d < 0).length;
  return { wins, losses, ties: diffs.length - wins - losses, p: binomialTwoSided(wins, wins + losses) };
}

/** Quantile q of sorted values (linear interpolation between order statistics, R type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** A bootstrap of a mean. */
export interface Bootstrap {
  /** Lower end of the central interval. */
  lo: number;
  /** Upper end. */
  hi: number;
  /** Standard deviation of the resampled means (the bootstrap standard error). */
  se: number;
  /** Resamples drawn. */
  resamples: number;
}

/**
 * Percentile bootstrap of the mean of `values`: `resamples` samples of the same size drawn with replacement by a
 * seeded generator (the same seed gives the same interval), central interval of coverage 1 − alpha.
 */
export function bootstrapMean(values: readonly number[], resamples: number, seed: number, alpha = 0.05): Bootstrap {
  const n = values.length;
  if (n === 0) throw new Error('bootstrapMean: no values');
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`bootstrapMean: resamples must be a positive integer (got ${resamples})`);
  const rng = new Rng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)]!;
    means[b] = s / n;
  }
  means.sort();
  const avg = means.reduce((s, x) => s + x, 0) / resamples;
  const se = Math.sqrt(means.reduce((s, x) => s + (x - avg) ** 2, 0) / Math.max(1, resamples - 1));
  const sorted = Array.from(means);
  return { lo: quantile(sorted, alpha / 2), hi: quantile(sorted, 1 - alpha / 2), se, resamples };
}

/** What a paired comparison shows. */
export type Verdict = 'holds' | 'contradicted' | 'not shown';

/**
 * holds: the mean difference is > 0 and the sign test is significant (p < alpha) in the same direction (more pairs
 * better than worse); contradicted: the same with both < 0; otherwise not shown.
 */
export function verdictOf(diff: number, test: SignTest, alpha: number): Verdict {
  if (test.p < alpha && diff > 0 && test.wins > test.losses) return 'holds';
  if (test.p < alpha && diff < 0 && test.losses > test.wins) return 'contradicted';
  return 'not shown';
}
