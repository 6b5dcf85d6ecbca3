// Position handling (METHOD.md, "Position bias"): `none` shows the pair as given, `random` swaps it by a seeded
// coin per pair id, `both` judges both orders. Labels are mapped back to the original pair, and two orders
// are combined here (agreement, disagreement, swap-averaged P(A)).
import type { Label } from '../data/records.js';
import type { NoAnswerReason, Order } from './judgment.js';
import { seededCoin } from './seeds.js';

/** How a pair's order is chosen. */
export type PositionMode = 'none' | 'random' | 'both';

/** The modes, for schemas and messages. */
export const POSITION_MODES: readonly PositionMode[] = ['none', 'random', 'both'];

/** The orders to judge a pair in: none -> [original]; random -> one, by seededCoin(seed, id); both -> both. */
export function ordersFor(mode: PositionMode, pairId: string, seed: number): Order[] {
  if (mode === 'none') return ['original'];
  if (mode === 'both') return ['original', 'swapped'];
  return [seededCoin(seed, `position:${pairId}`) ? 'swapped' : 'original'];
}

/** The responses as shown in `order`: first is shown as A. */
export function showPair(pair: { a: string; b: string }, order: Order): { first: string; second: string } {
  return order === 'original' ? { first: pair.a, second: pair.b } : { first: pair.b, second: pair.a };
}

/** A shown-order label in the original pair's terms (a swapped "A" means pair.b). */
export function toOriginal(label: Label | undefined, order: Order): Label | undefined {
  if (label === undefined || order === 'original') return label;
  return label === 'A' ? 'B' : 'A';
}

/** One order's result, already in the original pair's terms. */
export interface OrderResult {
  /** The order judged. */
  order: Order;
  /** The (voted) label in original terms. */
  label: Label | undefined;
  /** P(pair.a preferred) in this order (mean over its samples), when scored. */
  probA: number | undefined;
  /** Why this order has no label. */
  noAnswer: NoAnswerReason | undefined;
}

/** The combination of one or two orders. */
export interface CombinedOrders {
  /** The combined label (original terms). */
  label: Label | undefined;
  /** P(label) from the swap-averaged probA; undefined without scores or label. */
  confidence: number | undefined;
  /** Mean of the orders' probA: with both orders this is r(a) = ½[P(A | a first) + P(B | a second)]. */
  probA: number | undefined;
  /** Why there is no label. */
  noAnswer: NoAnswerReason | undefined;
  /** Both orders answered and their labels differ; undefined unless both orders answered. */
  ordersDisagree: boolean | undefined;
}

/**
 * Combine orders. Agreement gives that label. Disagreement gives the label of the swap-averaged probA when it is
 * known and not exactly ½, else no answer (`orders-disagree`). One answered order gives its label.
 */
export function combineOrders(results: readonly OrderResult[]): CombinedOrders {
  if (results.length === 0) throw new Error('combineOrders: no orders to combine');
  const probs = results.flatMap((r) => (r.probA === undefined ? [] : [r.probA]));
  const probA = probs.length === 0 ? undefined : probs.reduce((s, p) => s + p, 0) / probs.length;
  const answered = results.filter((r) => r.label !== undefined);
  const ordersDisagree = answered.length === 2 ? answered[0]!.label !== answered[1]!.label : undefined;
  let label: Label | undefined;
  let noAnswer: NoAnswerReason | undefined;
  if (answered.length === 0) {
    noAnswer = results[0]!.noAnswer ?? 'no-answer-tag';
  } else if (ordersDisagree) {
    if (probA !== undefined && probA !== 0.5) label = probA > 0.5 ? 'A' : 'B';
    else noAnswer = 'orders-disagree';
  } else {
    label = answered[0]!.label;
  }
  const confidence = label === undefined || probA === undefined ? undefined : label === 'A' ? probA : 1 - probA;
  return { label, confidence, probA, noAnswer, ordersDisagree };
}
