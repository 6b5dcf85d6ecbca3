// Turns an evaluator Judge (pairs judged as given) into a ranker Compare, with position handling: each pair
// is judged in the orders `ordersFor(mode, contentId, seed)` gives, in one judge call, and the orders are combined
// (position.ts). P(a better) = the combined probA; without confidences 1 / 0 by label, ½ for no answer.
import type { Label } from '../data/records.js';
import type { Judge, JudgeOutcome } from './evaluator.js';
import type { Order } from './judgment.js';
import { combineOrders, ordersFor, showPair, toOriginal, type OrderResult, type PositionMode } from './position.js';
import type { Compare } from './ranker.js';
import { contentId } from './seeds.js';

/** P(pair.a preferred) from one outcome judged in `order`; undefined without a confidence or a label. */
export function outcomeProbA(outcome: JudgeOutcome, order: Order): number | undefined {
  if (outcome.label === undefined || outcome.confidence === undefined) return undefined;
  const shownA = outcome.label === 'A' ? outcome.confidence : 1 - outcome.confidence;
  return order === 'original' ? shownA : 1 - shownA;
}

/** One order's outcome in the original pair's terms. */
export function orderResultOf(outcome: JudgeOutcome, order: Order): OrderResult {
  return {
    order, label: toOriginal(outcome.label as Label | undefined, order), probA: outcomeProbA(outcome, order),
    noAnswer: outcome.label === undefined ? 'no-answer-tag' : undefined,
  };
}

/** A Compare over `judge` with position mode `mode`. */
export function compareFromJudge(judge: Judge, mode: PositionMode): Compare {
  return async (prompt, pairs, ctx) => {
    const plan = pairs.map((p) => ordersFor(mode, contentId(prompt, p.a, p.b), ctx.seed));
    const batch = pairs.flatMap((p, i) => plan[i]!.map((order) => {
      const s = showPair(p, order);
      return { prompt, a: s.first, b: s.second };
    }));
    const outcomes = await judge(batch, ctx);
    if (outcomes.length !== batch.length) throw new Error(`judge returned ${outcomes.length} outcomes for ${batch.length} pairs`);
    let n = 0;
    return plan.map((orders) => {
      const c = combineOrders(orders.map((order) => orderResultOf(outcomes[n++]!, order)));
      return c.probA ?? (c.label === 'A' ? 1 : c.label === 'B' ? 0 : 0.5);
    });
  };
}
