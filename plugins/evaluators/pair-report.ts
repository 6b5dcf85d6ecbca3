// Pieces shared by the pair evaluators: collecting checked pairs (ties skipped and counted), one table row
// from a tally, the columns to show for a position mode, and the standard notes.
import type { DataRecord } from '../../core/data/records.js';
import type { PositionMode } from '../../core/reward/position.js';
import { rates, type Tally } from './pair-stats.js';
import { asPair, type EvalPair } from './records-check.js';

/** Checked pairs, and how many `tie` pairs were skipped. */
export function collectPairs(kind: string, records: readonly DataRecord[], labels: 'required' | 'optional'): { pairs: EvalPair[]; ties: number } {
  const pairs: EvalPair[] = [];
  let ties = 0;
  records.forEach((r, i) => {
    const p = asPair(kind, r, i, labels);
    if (p === 'tie') ties++; else pairs.push(p);
  });
  return { pairs, ties };
}

/** Rate columns every pair table may show. */
export const RATE_COLUMNS = ['accuracy', 'pairAccuracy', 'consistentCorrect', 'noAnswerRate', 'flipRate', 'firstPositionRate',
  'easy', 'normal', 'hard'];

/** The columns to show after the name column: the both-orders ones only when both orders were judged. */
export function pairColumns(mode: PositionMode): string[] {
  return mode === 'both'
    ? ['pairs', 'accuracy', 'pairAccuracy', 'consistentCorrect', 'noAnswerRate', 'flipRate', 'firstPositionRate']
    : ['pairs', 'accuracy', 'noAnswerRate', 'firstPositionRate'];
}

/** A row: the name under `nameColumn`, the pair count, and the tally's rates. */
export function tallyRow(nameColumn: string, name: string, t: Tally): Record<string, string | number | undefined> {
  return { [nameColumn]: name, pairs: t.pairs, ...rates(t) };
}

/** Mean of the defined values; undefined when none is. */
export function meanOf(values: ReadonlyArray<number | undefined>): number | undefined {
  const xs = values.filter((v): v is number => v !== undefined);
  return xs.length === 0 ? undefined : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Notes every pair report carries. */
export function standardNotes(mode: PositionMode, ties: number): string[] {
  const notes = [
    `Position: ${mode}${mode === 'both' ? ' (every pair judged in both orders; accuracy is over all judged orders)' : ''}. `
      + 'A judgment with no answer counts as wrong, never as B.',
  ];
  if (mode === 'both') {
    notes.push('pairAccuracy: the two orders combined per pair (agreement, else the swap-averaged probability); '
      + 'consistentCorrect: both orders answered, agree and are correct; flipRate: pairs whose label changes when swapped.');
  }
  if (ties > 0) notes.push(`${ties} pair(s) labeled "tie" were skipped.`);
  return notes;
}

/** Rates that reports give pooled over all pairs (not averaged over groups). */
export const POOLED = ['noAnswerRate', 'voteTieRate', 'flipRate', 'firstBothRate', 'secondBothRate', 'firstPositionRate'];

/** The entries of `r` named in `keys` that are present. */
export function pick(r: Record<string, number>, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]!]));
}
