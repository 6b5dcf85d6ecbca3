// Checks on the records the recipe stages read: pairs must have string prompt/a/b, rationale examples a label
// A|B and a rationale; label balance with the one-class flag (a model trained on one label learns to always
// answer it). Errors name the stage, the record's index and id, the field and what is valid.
import type { DataRecord, Label, PreferencePair, RationaleExample } from '../data/records.js';
import { WorkError } from '../errors.js';

function idOf(r: DataRecord): string {
  const id = (r as { id?: unknown }).id;
  return typeof id === 'string' ? JSON.stringify(id) : '(no id)';
}

/** The record as a pair, or a WorkError naming the bad field. */
export function asPair(r: DataRecord, index: number, where: string): PreferencePair {
  const x = r as Partial<PreferencePair>;
  if (typeof x.id !== 'string' || x.id === '') throw new WorkError(`${where}: record ${index} has no string id`);
  for (const f of ['prompt', 'a', 'b'] as const) {
    if (typeof x[f] !== 'string') throw new WorkError(`${where}: record ${index} (id ${idOf(r)}): field "${f}" must be a string (empty is allowed), got ${typeof x[f]}`);
  }
  return x as PreferencePair;
}

/** The label of a pair when it is A or B; `unlabeled` / `tie` otherwise. */
export function labelOf(pair: PreferencePair): Label | 'unlabeled' | 'tie' {
  if (pair.label === 'A' || pair.label === 'B') return pair.label;
  return pair.label === 'tie' ? 'tie' : 'unlabeled';
}

/** The record as a rationale example (label A|B, string rationale), or a WorkError naming the bad field. */
export function asRationaleExample(r: DataRecord, index: number, where: string): RationaleExample {
  const p = asPair(r, index, where);
  const l = labelOf(p);
  if (l !== 'A' && l !== 'B') throw new WorkError(`${where}: record ${index} (id ${idOf(r)}): field "label" must be "A" or "B", got ${JSON.stringify(p.label)}`);
  const z = (r as Partial<RationaleExample>).rationale;
  if (typeof z !== 'string') throw new WorkError(`${where}: record ${index} (id ${idOf(r)}): field "rationale" must be a string, got ${typeof z} (rationale-free pairs go through synthesize-rationales first)`);
  return p as RationaleExample;
}

/** Label counts and the one-class flag. */
export interface LabelBalance {
  /** Examples labeled A. */
  A: number;
  /** Examples labeled B. */
  B: number;
  /** True when there are at least 2 examples and all have the same label. */
  oneClass: boolean;
  /** A sentence for people when `oneClass`. */
  warning?: string;
}

/** Counts labels; flags a set whose labels are all one class. */
export function labelBalance(labels: readonly Label[], what: string): LabelBalance {
  let A = 0, B = 0;
  for (const l of labels) (l === 'A' ? A++ : B++);
  const oneClass = A + B >= 2 && (A === 0 || B === 0);
  return {
    A, B, oneClass,
    ...(oneClass ? { warning: `one-class data: all ${A + B} ${what} are labeled ${A ? 'A' : 'B'}; a model trained on them can learn to always answer ${A ? 'A' : 'B'} (balance the data, e.g. swap a and b in half the pairs)` } : {}),
  };
}
