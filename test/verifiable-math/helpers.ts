// Helpers for the verifiable-math tests: generate a split (cached per options), split records by kind, and
// an independent re-computation of written steps (plain arithmetic, not the oracle under test).
import type { PreferencePair, RationaleExample } from '../../core/data/records.js';
import type { CandidateSet } from '../../plugins/data-sources/records.js';
import { generateSplit, verifiableMathOptionsSchema, type VerifiableMathInput, type VerifiableMathRecord } from '../../plugins/verifiable-math/index.js';

const cache = new Map<string, VerifiableMathRecord[]>();

/** Every record of a split for these options (generated once per options within a test file). */
export function gen(options: VerifiableMathInput): VerifiableMathRecord[] {
  const key = JSON.stringify(options);
  let recs = cache.get(key);
  if (recs === undefined) {
    recs = [...generateSplit(verifiableMathOptionsSchema.parse(options))];
    cache.set(key, recs);
  }
  return recs;
}

/** The records of a pair split, typed. */
export function pairs(options: VerifiableMathInput): Array<PreferencePair | RationaleExample> {
  return gen(options) as Array<PreferencePair | RationaleExample>;
}

/** The records of the candidates split, typed. */
export function candidateSets(options: Omit<VerifiableMathInput, 'split'> = {}): CandidateSet[] {
  return gen({ ...options, split: 'candidates' }) as CandidateSet[];
}

/** The gold label of a pair: its label, or meta.goldLabel for unlabeled pairs. */
export function gold(p: PreferencePair): 'A' | 'B' {
  return (p.label ?? p.meta?.goldLabel) as 'A' | 'B';
}

/** Written steps of a response `x op y=z; ... . Answer: n`, parsed with a plain regex. */
export function writtenSteps(text: string): Array<{ a: number; op: string; b: number; r: number }> {
  const work = text.split('. Answer:')[0]!;
  return work.split('; ').map((s) => {
    const m = /^(\d+)([-+*/])(\d+)=(\d+)$/.exec(s);
    if (m === null) throw new Error(`not a step: "${s}" in "${text}"`);
    return { a: Number(m[1]), op: m[2]!, b: Number(m[3]), r: Number(m[4]) };
  });
}

/** The stated answer of a response. */
export function statedAnswer(text: string): number {
  return Number(/Answer: (\d+)$/.exec(text)![1]);
}

/** Plain arithmetic. */
export function calc(a: number, op: string, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
}

/** True when `k` successes of `n` fair coin flips lie within 3 standard deviations of n/2. */
export function looksBalanced(k: number, n: number): boolean {
  return Math.abs(k - n / 2) <= 3 * Math.sqrt(n) / 2;
}
