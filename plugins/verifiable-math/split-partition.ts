// What the worked and columns generators share (generate.ts, column-split.ts): the records' source and types, the
// fixed partition of the hash range into splits, a problem's split by its partition key, and each split's Rng seed.
import { createHash } from 'node:crypto';
import type { CompletionExample, PreferencePair, RationaleExample } from '../../core/data/records.js';
import type { CandidateSet } from '../data-sources/records.js';
import { MEASURES_SPLITS, type Split } from './options.js';

/** The `source` field of every record. */
export const SOURCE = 'verifiable-math';

/** A pretraining document (the problem, then its worked rows). */
export type CompletionRecord = CompletionExample & { source: string; meta: Record<string, unknown> };

/** A record of any split. */
export type VerifiableMathRecord = PreferencePair | RationaleExample | CandidateSet | CompletionRecord;

/** Each split's share [from, to) of the partition-hash range of its domain. Fixed: never derived from counts. */
export const PARTITION: Readonly<Record<Exclude<Split, 'pretrain'>, readonly [number, number]>> = {
  seed: [0, 0.05], labeled: [0.05, 0.4], 'unlabeled-1': [0.4, 0.52], 'unlabeled-2': [0.52, 0.64],
  'unlabeled-3': [0.64, 0.76], test: [0.76, 0.88], candidates: [0.88, 1],
  'adapt-train': [0, 0.75], 'adapt-test': [0.75, 1],
};

/** Where a partition key falls in [0, 1): the first 4 bytes of a versioned sha256. */
export function partitionPoint(key: string): number {
  return createHash('sha256').update(`gramr/verifiable-math/partition/v1\0${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** True when the split is of the adaptation domain (measures). */
export function isMeasuresSplit(split: Split): boolean {
  if (split === 'pretrain') return false;
  return (MEASURES_SPLITS as readonly string[]).includes(split);
}

/** The split that owns a problem of the given domain with this partition key. */
export function splitOfKey(domain: 'arithmetic' | 'measures', key: string): Split {
  const x = partitionPoint(key);
  for (const [split, [from, to]] of Object.entries(PARTITION) as Array<[Split, readonly [number, number]]>) {
    if (isMeasuresSplit(split) === (domain === 'measures') && x >= from && x < to) return split;
  }
  throw new Error(`partition point ${x} of "${key}" falls in no split`);
}

/** The seed of a split's Rng stream: the first 4 bytes of sha256(seed, split). */
export function streamSeed(seed: number, split: Split): number {
  return createHash('sha256').update(`gramr/verifiable-math/stream/v1\0${seed}\0${split}`).digest().readInt32BE(0);
}
