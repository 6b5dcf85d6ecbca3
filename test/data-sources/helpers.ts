// Helpers for the data-source tests: drain a source into an array with its read stats, locate this area's
// fixtures, and read raw files independently of the loaders (for counts the tests compare against).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { newReadStats, type DataSource, type ReadStats } from '../../core/data/data-source.js';
import type { DataRecord } from '../../core/data/records.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';

/** The repo root (ava runs there). */
export const ROOT = process.cwd();
/** This area's fixtures, relative to the repo root. */
export const FIXTURES = 'test/fixtures/data-sources';

/** Read every record of a source. */
export async function collect<O, R extends DataRecord>(source: DataSource<O, R>, options: O, baseDir = ROOT):
  Promise<{ records: R[]; stats: ReadStats }> {
  const stats = newReadStats();
  const records: R[] = [];
  for await (const r of source.read(options, baseDir, defaultTaskContext(), stats)) records.push(r);
  return { records, stats };
}

/** Parsed non-blank lines of a (possibly gzip) JSONL file, read without the loaders. */
export function rawJsonl(file: string): Array<Record<string, unknown>> {
  const buf = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A parsed JSON array file, read without the loaders. */
export function rawJsonArray(file: string): Array<Record<string, unknown>> {
  return JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
}

/** Count occurrences of each key. */
export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

/** True when `k` successes of `n` fair coin flips lie within 3 standard deviations of n/2. */
export function looksBalanced(k: number, n: number): boolean {
  return Math.abs(k - n / 2) <= 3 * Math.sqrt(n) / 2;
}
