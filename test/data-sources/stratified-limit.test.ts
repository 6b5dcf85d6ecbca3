// `limit` on RM-Bench spreads over the reporting domains instead of reading the first file only: with a synthetic
// RM-Bench folder (chat, code, safety-refuse files), limit 12 gives 4 pairs of each domain, chosen by a seeded
// hash of the id (same seed, same pairs; another seed, others) and kept in source order. Plus the quota rule.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RmBenchSource } from '../../plugins/data-sources/rm-bench-source.js';
import { quotas } from '../../plugins/data-sources/stratified-limit.js';
import { collect } from './helpers.js';

const item = (domain: string, n: number): Record<string, unknown> => ({
  id: `${domain}-${n}`, prompt: `${domain} question ${n}`,
  chosen: [0, 1, 2].map((i) => `good ${domain} ${n} v${i}`), rejected: [0, 1, 2].map((i) => `bad ${domain} ${n} v${i}`),
});

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gramr-stratified-'));
  for (const [domain, prompts] of [['chat', 3], ['code', 3], ['safety-refuse', 1]] as const) {
    writeFileSync(join(dir, `${domain}_filtered.json`), JSON.stringify(Array.from({ length: prompts }, (_, n) => item(domain, n))));
  }
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('quotas split a limit evenly, a small stratum\'s shortfall going to the others', (t) => {
  t.deepEqual(quotas([10, 1, 10], 9), [4, 1, 4]);
  t.deepEqual(quotas([27, 27, 9], 12), [4, 4, 4]);
  t.deepEqual(quotas([27, 27, 9], 13), [5, 4, 4]);
  t.deepEqual(quotas([2, 2], 10), [2, 2]);
  t.deepEqual(quotas([5, 0, 5], 3), [2, 0, 1]);
});

test('rm-bench limit 12 reads 4 pairs of each domain, seeded, in source order', async (t) => {
  const all = (await collect(new RmBenchSource(), { path: dir })).records;
  t.is(all.length, 63);
  const limited = (await collect(new RmBenchSource(), { path: dir, limit: 12 })).records;
  const counts: Record<string, number> = {};
  for (const r of limited) counts[r.meta!.category as string] = (counts[r.meta!.category as string] ?? 0) + 1;
  t.deepEqual(counts, { chat: 4, code: 4, safety: 4 });
  const positions = limited.map((r) => all.findIndex((x) => x.id === r.id));
  t.deepEqual(positions, [...positions].sort((a, b) => a - b), 'source order');
  t.deepEqual(limited.map((r) => r.id), (await collect(new RmBenchSource(), { path: dir, limit: 12 })).records.map((r) => r.id));
  const other = (await collect(new RmBenchSource(), { path: dir, limit: 12, sampleSeed: 7 })).records;
  t.notDeepEqual(other.map((r) => r.id), limited.map((r) => r.id));
  t.is(other.length, 12);
});
