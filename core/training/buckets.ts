// Length bucketing: a few static sequence lengths chosen from the data's length quantiles (rounded up to a multiple
// of 8), so every batch has one of a handful of shapes and the set of compiled programs stays small. Each epoch
// shuffles examples within their bucket, cuts them into fixed-size batches and shuffles the batches, seeded by
// (seed, epoch): the micro-batch at any stream position is a pure function of it, which makes resume exact.
import { Rng } from '../tensor/rng.js';

/** Bucket lengths are rounded up to a multiple of this. */
export const BUCKET_MULTIPLE = 8;

/**
 * At most `count` bucket lengths covering `lengths`: the length at each quantile i/count, rounded up to a multiple
 * of BUCKET_MULTIPLE and capped at `maxLength`; ascending and distinct; the last covers the longest example.
 */
export function planBuckets(lengths: readonly number[], count: number, maxLength: number): number[] {
  if (lengths.length === 0) return [];
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`planBuckets: count must be a positive integer (got ${count})`);
  const sorted = [...lengths].sort((a, b) => a - b);
  if (sorted[sorted.length - 1]! > maxLength) throw new RangeError(`planBuckets: a length ${sorted[sorted.length - 1]} exceeds maxLength ${maxLength}`);
  const out = new Set<number>();
  for (let i = 1; i <= count; i++) {
    const q = sorted[Math.max(0, Math.ceil((i / count) * sorted.length) - 1)]!;
    out.add(Math.min(maxLength, Math.ceil(q / BUCKET_MULTIPLE) * BUCKET_MULTIPLE));
  }
  return [...out].sort((a, b) => a - b);
}

/** The smallest bucket length >= `length`; throws when none is. */
export function bucketOf(length: number, buckets: readonly number[]): number {
  const b = buckets.find((x) => x >= length);
  if (b === undefined) throw new RangeError(`bucketOf: length ${length} is longer than every bucket (${buckets.join(', ')})`);
  return b;
}

/** One micro-batch: a bucket length and the indices of its examples (at most the batch size; the rest is padding). */
export interface MicroBatch {
  /** Sequence length of this batch (a bucket length). */
  length: number;
  /** Example indices. */
  items: number[];
}

/** Groups example indices by bucket, in index order. */
export function groupByBucket(lengths: readonly number[], buckets: readonly number[]): Map<number, number[]> {
  const groups = new Map<number, number[]>(buckets.map((b) => [b, []]));
  lengths.forEach((len, i) => groups.get(bucketOf(len, buckets))!.push(i));
  for (const [b, items] of groups) if (items.length === 0) groups.delete(b);
  return groups;
}

/** Every batch of one pass, in index order (evaluation): each bucket cut into batches of `batchSize`. */
export function sequentialBatches(groups: ReadonlyMap<number, readonly number[]>, batchSize: number): MicroBatch[] {
  const out: MicroBatch[] = [];
  for (const [length, items] of groups) {
    for (let s = 0; s < items.length; s += batchSize) out.push({ length, items: items.slice(s, s + batchSize) });
  }
  return out;
}

/** The training stream: epoch after epoch of shuffled bucketed batches, addressable by position. */
export class BatchStream {
  /** Micro-batches in one epoch. */
  readonly perEpoch: number;
  private cached?: { epoch: number; batches: MicroBatch[] };

  /**
   * @param groups example indices by bucket length (from groupByBucket)
   * @param batchSize examples per micro-batch
   * @param seed seeds the order of every epoch
   */
  constructor(private readonly groups: ReadonlyMap<number, readonly number[]>, private readonly batchSize: number, private readonly seed: number) {
    let n = 0;
    for (const items of groups.values()) n += Math.ceil(items.length / batchSize);
    if (n === 0) throw new RangeError('BatchStream: no examples to train on');
    this.perEpoch = n;
  }

  /** The micro-batch at stream position `pos` (0-based): epoch `floor(pos / perEpoch)`, in its shuffled order. */
  at(pos: number): MicroBatch {
    const epoch = Math.floor(pos / this.perEpoch);
    if (this.cached?.epoch !== epoch) this.cached = { epoch, batches: this.epochOrder(epoch) };
    return this.cached.batches[pos % this.perEpoch]!;
  }

  private epochOrder(epoch: number): MicroBatch[] {
    const rng = new Rng(this.seed).fork(epoch);
    const batches: MicroBatch[] = [];
    for (const [length, items] of [...this.groups].sort((a, b) => a[0] - b[0])) {
      const order = rng.shuffle([...items]);
      for (let s = 0; s < order.length; s += this.batchSize) batches.push({ length, items: order.slice(s, s + this.batchSize) });
    }
    return rng.shuffle(batches);
  }
}
