// Position honesty: which response of a pair is shown as A. For sources that give chosen/rejected, the slot is
// decided by a deterministic hash of the record id (not by the seed, so a dataset is the same in every run), so
// labels are about balanced and a judge that always answers "A" scores about 50%.
import { createHash } from 'node:crypto';
import type { Label } from '../../core/data/records.js';

/** How chosen/rejected pairs are placed: by the id hash (default) or chosen always as A. */
export type PairOrder = 'hashed' | 'chosen-first';

/** For sources that already show A and B: keep their order, or re-place by the hash or chosen-first. */
export type SourcePairOrder = 'source' | PairOrder;

/**
 * The hash rule: chosen is A exactly when the first byte of sha256("gramr/pair-order/v1\0" + id) is even.
 * The prefix versions the rule; changing it would reshuffle every dataset.
 */
export function hashedChosenFirst(id: string): boolean {
  const first = createHash('sha256').update(`gramr/pair-order/v1\0${id}`).digest()[0]!;
  return first % 2 === 0;
}

/** A placed pair: the two slots and the label that points at the chosen one. */
export interface PlacedPair {
  /** Response shown as A. */
  a: string;
  /** Response shown as B. */
  b: string;
  /** Which slot holds the preferred response (`tie` only when the source said tie). */
  label: Label | 'tie';
}

/** Place a chosen/rejected pair by `order`. */
export function placeChosenRejected(id: string, chosen: string, rejected: string, order: PairOrder): PlacedPair {
  const chosenFirst = order === 'chosen-first' || hashedChosenFirst(id);
  return chosenFirst ? { a: chosen, b: rejected, label: 'A' } : { a: rejected, b: chosen, label: 'B' };
}

/** A re-placed source pair (the label may be absent for unlabeled pairs). */
export interface PlacedSourcePair {
  /** Response shown as A. */
  a: string;
  /** Response shown as B. */
  b: string;
  /** Label after placement, or undefined when the source had none. */
  label: Label | 'tie' | undefined;
  /** True when A is the source's second response. */
  swapped: boolean;
}

/**
 * Place a pair the source already shows as (first, second) with a label (or none). `source` keeps it;
 * `chosen-first` puts the preferred one in A (ties and unlabeled keep the source order); `hashed` puts the
 * preferred one (for ties and unlabeled pairs: the source's first) in A when the id hash says so.
 * `swapped` is true when A is the source's second response.
 */
export function placeSourcePair(id: string, first: string, second: string, label: Label | 'tie' | undefined,
  order: SourcePairOrder): PlacedSourcePair {
  let swapped = false;
  if (order === 'chosen-first') swapped = label === 'B';
  else if (order === 'hashed') {
    const leadFirst = hashedChosenFirst(id);
    swapped = label === 'B' ? leadFirst : !leadFirst;
  }
  if (!swapped) return { a: first, b: second, label, swapped };
  const flipped = label === 'A' ? 'B' : label === 'B' ? 'A' : label;
  return { a: second, b: first, label: flipped, swapped };
}
