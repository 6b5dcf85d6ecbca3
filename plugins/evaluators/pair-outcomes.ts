// Per-pair outcomes of a pair evaluation (pair id and content key -> per-order label and correctness, combined
// verdict): the evaluate stage writes them as pairs.jsonl beside report.json, and the report pairs two models on
// the same pairs from them (paired tests, cluster standard errors). Pure mapping of judged pairs.
import { orderResultOf } from '../../core/reward/judge-compare.js';
import type { PairOutcome } from '../../core/reward/evaluator.js';
import { combineOrders } from '../../core/reward/position.js';
import { contentId } from '../../core/reward/seeds.js';
import type { JudgedPair } from './judge-pairs.js';

/** One outcome per judged pair, in the pairs' order. */
export function pairOutcomes(judged: readonly JudgedPair[]): PairOutcome[] {
  return judged.map(({ pair, orders }) => {
    const gold = pair.label;
    const combined = orders.length === 0 ? undefined : combineOrders(orders.map((o) => orderResultOf(o.outcome, o.order))).label;
    const domain = [pair.meta.category, pair.meta.domain].find((d): d is string => typeof d === 'string');
    return {
      id: pair.id,
      key: contentId(pair.prompt, pair.a, pair.b),
      ...(gold ? { gold } : {}),
      ...(domain !== undefined ? { domain } : {}),
      orders: orders.map((o) => ({ order: o.order, ...(o.label ? { label: o.label } : {}), ...(gold ? { correct: o.label === gold } : {}) })),
      ...(gold ? { pairCorrect: combined === gold } : {}),
    };
  });
}
