// Runs an evaluator Judge over pairs in the orders a position mode asks for (core/reward/position.ts),
// in batches of `batchSize`, with abort checks and progress; returns each pair's per-order outcomes in the
// original pair's terms.
import type { Label } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { Judge, JudgeOutcome } from '../../core/reward/evaluator.js';
import type { Order } from '../../core/reward/judgment.js';
import { ordersFor, showPair, toOriginal, type PositionMode } from '../../core/reward/position.js';
import type { EvalPair } from './records-check.js';

/** One order's outcome. */
export interface OrderOutcome {
  /** The order shown. */
  order: Order;
  /** The judge's outcome as returned (shown terms). */
  outcome: JudgeOutcome;
  /** The label in the original pair's terms. */
  label: Label | undefined;
}

/** A pair with its judged orders. */
export interface JudgedPair {
  /** The pair. */
  pair: EvalPair;
  /** One entry per order judged (both: original then swapped). */
  orders: OrderOutcome[];
}

/** Judge every pair in the orders of `mode` (seeded by ctx.seed and the pair id). */
export async function judgePairs(pairs: readonly EvalPair[], judge: Judge, mode: PositionMode, batchSize: number,
  ctx: TaskContext): Promise<JudgedPair[]> {
  const jobs = pairs.flatMap((pair, i) => ordersFor(mode, pair.id, ctx.seed).map((order) => ({ i, order })));
  const results: JudgedPair[] = pairs.map((pair) => ({ pair, orders: [] }));
  let answered = 0;
  for (let start = 0; start < jobs.length; start += batchSize) {
    ctx.signal.throwIfAborted();
    const chunk = jobs.slice(start, start + batchSize);
    const batch = chunk.map(({ i, order }) => {
      const s = showPair(pairs[i]!, order);
      return { prompt: pairs[i]!.prompt, a: s.first, b: s.second, id: pairs[i]!.id, order };
    });
    const outcomes = await judge(batch, ctx);
    if (!Array.isArray(outcomes) || outcomes.length !== batch.length) {
      throw new Error(`judge returned ${Array.isArray(outcomes) ? outcomes.length : typeof outcomes} outcomes for a batch of ${batch.length} pairs`);
    }
    chunk.forEach(({ i, order }, n) => {
      const outcome = outcomes[n]!;
      if (outcome?.label !== undefined && outcome.label !== 'A' && outcome.label !== 'B') {
        throw new Error(`judge outcome for pair "${pairs[i]!.id}" (${order} order): label must be "A", "B" or undefined, got ${JSON.stringify(outcome.label)}`);
      }
      if (outcome.label !== undefined) answered++;
      results[i]!.orders.push({ order, outcome, label: toOriginal(outcome.label, order) });
    });
    ctx.progress.update({ done: start + chunk.length, total: jobs.length, unit: 'judgments', metrics: { answered } });
  }
  return results;
}
