// Pure statistics over a stream of records: label balance, character lengths, counts by meta field.
// Kept apart from the stage so tests can check the numbers directly.
import type { DataRecord, PreferencePair } from '../../core/data/records.js';

/** Statistics of one dataset. */
export interface DatasetStats {
  /** Dataset name. */
  name: string;
  /** All records. */
  records: number;
  /** Records that are preference pairs (have prompt, a, b). */
  pairs: number;
  /** Label counts among pairs. */
  labels: { A: number; B: number; tie: number; unlabeled: number };
  /** Prompt lengths in characters (raw list; summarized for output). */
  promptChars: number[];
  /** Response lengths in characters (a and b). */
  responseChars: number[];
  /** meta field -> value -> count. */
  groups: Record<string, Record<string, number>>;
  /** Field names seen on records that are not pairs. */
  otherFields: string[];
}

function isPair(r: DataRecord): r is PreferencePair {
  const x = r as Partial<PreferencePair>;
  return typeof x.prompt === 'string' && typeof x.a === 'string' && typeof x.b === 'string';
}

/** Count and measure the records of one dataset. */
export async function summarizeRecords(name: string, records: AsyncIterable<DataRecord>, groupBy: string[], signal?: AbortSignal): Promise<DatasetStats> {
  const s: DatasetStats = { name, records: 0, pairs: 0, labels: { A: 0, B: 0, tie: 0, unlabeled: 0 }, promptChars: [], responseChars: [], groups: {}, otherFields: [] };
  const other = new Set<string>();
  for await (const r of records) {
    s.records++;
    if (s.records % 1000 === 0) signal?.throwIfAborted();
    const meta = (r as { meta?: Record<string, unknown> }).meta ?? {};
    for (const g of groupBy) {
      const v = meta[g];
      if (v === undefined || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) continue;
      const bucket = (s.groups[g] ??= {});
      bucket[String(v)] = (bucket[String(v)] ?? 0) + 1;
    }
    if (!isPair(r)) {
      for (const k of Object.keys(r)) other.add(k);
      continue;
    }
    s.pairs++;
    if (r.label === 'A' || r.label === 'B' || r.label === 'tie') s.labels[r.label]++;
    else s.labels.unlabeled++;
    s.promptChars.push(r.prompt.length);
    s.responseChars.push(r.a.length, r.b.length);
  }
  s.otherFields = [...other].sort();
  return s;
}

/** min / median / mean / p95 / max of a list (0s when empty). */
export function lengthSummary(xs: number[]): { min: number; median: number; mean: number; p95: number; max: number } {
  if (!xs.length) return { min: 0, median: 0, mean: 0, p95: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): number => s[Math.min(s.length - 1, Math.floor(f * (s.length - 1) + 0.5))];
  return { min: s[0], median: q(0.5), mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length), p95: q(0.95), max: s[s.length - 1] };
}
