// Counting judged pairs into the numbers the reports show: per-order accuracy (no-answer counts as wrong),
// per-pair "consistent & correct" and combined-verdict accuracy, position bias (flips, first-position rate),
// no-answer and vote-tie rates. docs/judging.md, "Evaluators", defines each. Pure counting.
import { orderResultOf } from '../../core/reward/judge-compare.js';
import { combineOrders } from '../../core/reward/position.js';
import type { JudgedPair } from './judge-pairs.js';

/** Counts over a set of judged pairs. */
export interface Tally {
  /** Pairs counted. */
  pairs: number;
  /** Order-judgments made (pairs × orders). */
  judged: number;
  /** Judgments with a label. */
  answered: number;
  /** Judgments without a label. */
  noAnswer: number;
  /** Judgments whose voting@k was a tie. */
  voteTies: number;
  /** Judgments of labeled pairs. */
  judgedLabeled: number;
  /** Judgments of labeled pairs that have a label. */
  answeredLabeled: number;
  /** Judgments of labeled pairs whose label matches the gold label. */
  correct: number;
  /** Labeled pairs. */
  pairsLabeled: number;
  /** Labeled pairs whose combined verdict (both orders combined, position.ts) matches the gold label. */
  pairsCorrect: number;
  /** Pairs judged in both orders. */
  bothOrders: number;
  /** Labeled pairs judged in both orders. */
  bothOrdersLabeled: number;
  /** Pairs with an answer in both orders. */
  bothAnswered: number;
  /** Pairs with the same (original-terms) label in both orders. */
  consistent: number;
  /** Labeled pairs with the same, correct label in both orders. */
  consistentCorrect: number;
  /** Pairs where the judge picked the FIRST shown response in both orders (a flip toward position A). */
  firstBoth: number;
  /** Pairs where the judge picked the SECOND shown response in both orders. */
  secondBoth: number;
  /** Answered judgments whose shown label is A (the first position). */
  shownFirst: number;
}

/** An all-zero tally. */
export function emptyTally(): Tally {
  return {
    pairs: 0, judged: 0, answered: 0, noAnswer: 0, voteTies: 0, judgedLabeled: 0, answeredLabeled: 0, correct: 0, pairsLabeled: 0,
    pairsCorrect: 0, bothOrders: 0, bothOrdersLabeled: 0, bothAnswered: 0, consistent: 0, consistentCorrect: 0,
    firstBoth: 0, secondBoth: 0, shownFirst: 0,
  };
}

/** Add one judged pair to `t`. */
export function addPair(t: Tally, jp: JudgedPair): void {
  const gold = jp.pair.label;
  t.pairs++;
  if (gold) t.pairsLabeled++;
  for (const o of jp.orders) {
    t.judged++;
    if (o.outcome.voteTie) t.voteTies++;
    if (gold) t.judgedLabeled++;
    if (o.label === undefined) { t.noAnswer++; continue; }
    t.answered++;
    if (o.outcome.label === 'A') t.shownFirst++;
    if (gold) t.answeredLabeled++;
    if (gold && o.label === gold) t.correct++;
  }
  const combined = combineOrders(jp.orders.map((o) => orderResultOf(o.outcome, o.order)));
  if (gold && combined.label === gold) t.pairsCorrect++;
  if (jp.orders.length !== 2) return;
  t.bothOrders++;
  if (gold) t.bothOrdersLabeled++;
  const [x, y] = jp.orders as [typeof jp.orders[0], typeof jp.orders[0]];
  if (x.label === undefined || y.label === undefined) return;
  t.bothAnswered++;
  if (x.label === y.label) {
    t.consistent++;
    if (gold && x.label === gold) t.consistentCorrect++;
  } else if (x.outcome.label === 'A') t.firstBoth++;
  else t.secondBoth++;
}

/** Tally a list of judged pairs. */
export function tally(pairs: readonly JudgedPair[]): Tally {
  const t = emptyTally();
  for (const p of pairs) addPair(t, p);
  return t;
}

const ratio = (n: number, d: number): number | undefined => (d > 0 ? n / d : undefined);

/** The rates of a tally; a rate whose denominator is 0 is absent. */
export function rates(t: Tally): Record<string, number> {
  const out: Record<string, number | undefined> = {
    accuracy: ratio(t.correct, t.judgedLabeled),
    answeredAccuracy: ratio(t.correct, t.answeredLabeled),
    pairAccuracy: ratio(t.pairsCorrect, t.pairsLabeled),
    consistentCorrect: ratio(t.consistentCorrect, t.bothOrdersLabeled),
    noAnswerRate: ratio(t.noAnswer, t.judged),
    voteTieRate: ratio(t.voteTies, t.judged),
    flipRate: ratio(t.firstBoth + t.secondBoth, t.bothAnswered),
    firstBothRate: ratio(t.firstBoth, t.bothAnswered),
    secondBothRate: ratio(t.secondBoth, t.bothAnswered),
    firstPositionRate: ratio(t.shownFirst, t.answered),
  };
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, number] => e[1] !== undefined));
}
