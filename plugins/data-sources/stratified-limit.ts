// `limit` for benchmarks with domains (RM-Bench, JudgeBench): instead of the first N records (which are all of the
// first file's domain), N records spread as evenly as the data allows across the strata (domain / category),
// chosen inside each stratum by a seeded hash of the record id, and returned in source order. Deterministic: the
// same data, limit and seed give the same records.
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** `sampleSeed`: which records a stratified `limit` picks. */
export const sampleSeedOption = z.number().int().min(0).default(0)
  .describe('Seed of the records a `limit` picks inside each domain (a different seed, a different sample).');

/** `limit` of the stratified kinds. */
export const stratifiedLimitOption = z.number().int().positive().optional()
  .describe('Read at most this many records, spread evenly across the domains/categories present (seeded by sampleSeed), in source order.');

/** How many of each stratum to take: `limit` split evenly, what a small stratum cannot fill going to the others. */
export function quotas(sizes: readonly number[], limit: number): number[] {
  const take = sizes.map(() => 0);
  let left = Math.min(limit, sizes.reduce((s, n) => s + n, 0));
  while (left > 0) {
    const open = sizes.map((n, i) => i).filter((i) => take[i]! < sizes[i]!);
    const share = Math.max(1, Math.floor(left / open.length));
    for (const i of open) {
      if (left === 0) break;
      const add = Math.min(share, sizes[i]! - take[i]!, left);
      take[i]! += add;
      left -= add;
    }
  }
  return take;
}

/** At most `limit` of `records` spread over the strata `stratumOf` names (see the file header). */
export function stratifiedSample<R>(records: readonly R[], limit: number, seed: number, stratumOf: (r: R) => string, idOf: (r: R, i: number) => string): R[] {
  const strata = new Map<string, number[]>();
  records.forEach((r, i) => {
    const s = stratumOf(r);
    if (!strata.has(s)) strata.set(s, []);
    strata.get(s)!.push(i);
  });
  const groups = [...strata.values()];
  const q = quotas(groups.map((g) => g.length), limit);
  const rank = (i: number): string => createHash('sha256').update(`${seed}\u0000${idOf(records[i]!, i)}`).digest('hex');
  const chosen = groups.flatMap((g, k) => g.map((i) => ({ i, h: rank(i) })).sort((x, y) => (x.h < y.h ? -1 : x.h > y.h ? 1 : x.i - y.i)).slice(0, q[k]).map((x) => x.i));
  return chosen.sort((x, y) => x - y).map((i) => records[i]!);
}
