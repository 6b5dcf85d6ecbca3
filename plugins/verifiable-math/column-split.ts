// A split of the `columns` family: column addition (main splits) or subtraction with borrows (adapt-* splits),
// drawn from the split's Rng stream and kept by the same seed-independent hash partition as the worked family
// (key: operation and both operands), so no problem can appear in two splits.
import type { z } from 'zod';
import type { Label } from '../../core/data/records.js';
import { COMPACT_PAIR_LINES, fillTemplate } from '../../core/reward/prompts.js';
import { Rng } from '../../core/tensor/rng.js';
import type { Candidate } from '../data-sources/records.js';
import {
  columnCorrect, columnFlaw, columnPrompt, columnRationale, columnWork, drawColumnProblem, rationaleRows, rowsText, spaced, workRows,
  type ColumnErrorType, type ColumnOp, type ColumnProblem,
} from './columns.js';
import { DEFAULT_COUNTS, columnsSchema, type Split, type VerifiableMathOptions } from './options.js';
import { SOURCE, isMeasuresSplit, splitOfKey, streamSeed, type CompletionRecord, type VerifiableMathRecord } from './split-partition.js';

/** How many draws one record may take before the generator gives up. */
const MAX_DRAWS = 20_000;

/** The partition key of a column problem: the operation and both operands. */
export function columnKey(p: ColumnProblem): string {
  return `${p.op}|${p.x.join('')}|${p.y.join('')}`;
}

/** The columns knobs of the options, defaults filled. */
export function columnOptions(opts: VerifiableMathOptions): z.output<typeof columnsSchema> {
  return opts.columns ?? columnsSchema.parse({});
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function meta(p: ColumnProblem, split: Split): Record<string, unknown> {
  return {
    domain: p.op === '+' ? 'addition' : 'subtraction', subdomain: 'columns', template: 'columns', width: p.x.length,
    goldAnswer: spaced(columnWork(p).digits), split,
  };
}

function candidates(p: ColumnProblem, types: readonly ColumnErrorType[], n: number, rng: Rng): { candidates: Candidate[]; errorTypes: string[] } | undefined {
  const truth = spaced(columnWork(p).digits);
  const nCorrect = rng.nextFloat() < 0.1 ? 0 : Math.min(n - 1, 1 + rng.int(6));
  const made: Array<{ text: string; type: string }> = [];
  for (let i = 0; i < nCorrect; i++) made.push({ text: truth, type: 'none' });
  for (let tries = 0; made.length < n && tries < 20 * n; tries++) {
    const type = types[rng.int(types.length)]!;
    const f = columnFlaw(p, type, rng);
    if (f !== undefined) made.push({ text: spaced(f.digits), type });
  }
  if (made.length < n) return undefined;
  rng.shuffle(made);
  return {
    candidates: made.map(({ text }) => ({ text, correct: columnCorrect(p, text), answer: text })),
    errorTypes: made.map((m) => m.type),
  };
}

function record(p: ColumnProblem, split: Split, type: ColumnErrorType, i: number, rng: Rng, opts: VerifiableMathOptions):
  VerifiableMathRecord | undefined {
  const id = `vmath:${split}:${opts.seed}:${i}`, prompt = columnPrompt(p), m = meta(p, split), cols = columnOptions(opts);
  if (split === 'candidates') {
    const made = candidates(p, cols.errorTypes, opts.candidatesPerSet, rng);
    if (made === undefined) return undefined;
    return {
      id, prompt, candidates: made.candidates, answer: String(m.goldAnswer), solution: String(m.goldAnswer), source: SOURCE,
      meta: { ...m, errorType: 'mixed', candidateErrorTypes: made.errorTypes },
    };
  }
  const flaw = columnFlaw(p, type, rng);
  if (flaw === undefined) return undefined;
  const label: Label = rng.int(2) === 0 ? 'A' : 'B';
  const correct = String(m.goldAnswer), wrong = spaced(flaw.digits);
  const [a, b] = label === 'A' ? [correct, wrong] : [wrong, correct];
  const rationale = columnRationale(p, a, b, label, cols.layout);
  if (bytes(prompt) + bytes(a) + bytes(b) > opts.maxPairBytes || bytes(rationale) > opts.maxRationaleBytes) {
    throw new Error(`verifiable-math: a columns pair of width ${p.x.length} needs ${bytes(prompt) + bytes(a) + bytes(b)} pair bytes and `
      + `${bytes(rationale)} rationale bytes; raise maxPairBytes (${opts.maxPairBytes}) / maxRationaleBytes (${opts.maxRationaleBytes}) or lower columns.width`);
  }
  Object.assign(m, { errorType: type, flawedColumn: flaw.column });
  const base = { id, prompt, a, b, source: SOURCE };
  if (split.startsWith('unlabeled-')) return { ...base, meta: { ...m, goldLabel: label } };
  if (split === 'seed' || opts.rationales === true) return { ...base, label, rationale, meta: m };
  return { ...base, label, meta: m };
}

/**
 * A claimed result for a compare document: each digit is the true one or, half the time, another digit (a neighbour,
 * d ± 1 as a carry error gives, half of those times), so the match row marks many columns and every flag is worth
 * learning.
 */
function claimed(p: ColumnProblem, rng: Rng): string {
  const other = (d: number): number => (rng.nextFloat() < 0.5 ? (d + (rng.int(2) === 0 ? 1 : 9)) % 10 : (d + 1 + rng.int(9)) % 10);
  return spaced(columnWork(p).digits.map((d) => (rng.nextFloat() < 0.5 ? d : other(d))));
}

/** The problem line of the compact judge prompt (`Q: {user_input}`). */
const PROBLEM_LINE = COMPACT_PAIR_LINES.slice(0, COMPACT_PAIR_LINES.indexOf('\n'));

/** Splits whose problems may appear in pretraining: everything but the held-out test, candidates and adapt-test. */
const TRAINING_SIDE: ReadonlySet<Split> = new Set(['seed', 'labeled', 'unlabeled-1', 'unlabeled-2', 'unlabeled-3', 'adapt-train']);

/**
 * The `pretrain` split: worked sums and differences in turn (`3 2 1 + 9 8 0` -> the layout's worked rows), the base
 * model's pretraining documents. Only problems the partition gives to a training-side split are used.
 */
function* pretrainDocuments(opts: VerifiableMathOptions): Generator<CompletionRecord> {
  const cols = columnOptions(opts), count = opts.count ?? DEFAULT_COUNTS.pretrain;
  const rng = new Rng(streamSeed(opts.seed, 'pretrain'));
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const op: ColumnOp = i % 2 === 0 ? '+' : '-';
    let p: ColumnProblem | undefined;
    for (let draw = 0; p === undefined && draw < MAX_DRAWS; draw++) {
      const q = drawColumnProblem(op, cols.width, cols.minDigits, rng), key = columnKey(q);
      if (!used.has(key) && TRAINING_SIDE.has(splitOfKey(op === '-' ? 'measures' : 'arithmetic', key))) p = q;
    }
    if (p === undefined) throw new Error(`verifiable-math: could not draw pretraining document ${i} in ${MAX_DRAWS} draws; lower count or raise columns.width`);
    used.add(columnKey(p));
    const meta = { domain: op === '+' ? 'addition' : 'subtraction', subdomain: 'columns', width: p.x.length, split: 'pretrain' };
    const id = `vmath:pretrain:${opts.seed}:${i}`;
    // A gap of 1..gap spaces before the rows: digits in the problem line sit at no fixed distance from the rows, so
    // what a computed cell needs must come from the rows above it (copied once), as it will in any other context.
    const pad = `\n${' '.repeat(1 + rng.int(cols.gap))}`;
    // The problem is presented in the compact judge prompt's lines: `Q: <problem>` (and `A: <claim>`, `B: <claim>`
    // when two claims are checked), without its question.
    const values = { user_input: columnPrompt(p) };
    if (rng.nextFloat() >= cols.compareShare) {
      yield { id, prompt: `${fillTemplate(PROBLEM_LINE, values)}${pad}`, completion: rowsText(workRows(p, cols.layout)), source: SOURCE, meta };
      continue;
    }
    const [a, b] = [claimed(p, rng), claimed(p, rng)];
    const prompt = `${fillTemplate(COMPACT_PAIR_LINES, { ...values, response_1: a, response_2: b })}${pad}`;
    yield { id, prompt, completion: rowsText(rationaleRows(p, a, b, cols.layout)), source: SOURCE, meta: { ...meta, compare: true } };
  }
}

/** Generate a columns-family split, deterministically from the options (a smaller count gives a prefix). */
export function* generateColumnSplit(opts: VerifiableMathOptions): Generator<VerifiableMathRecord> {
  if (opts.split === 'pretrain') {
    yield* pretrainDocuments(opts);
    return;
  }
  const split = opts.split, cols = columnOptions(opts);
  const count = opts.count ?? DEFAULT_COUNTS[split];
  const adaptation = isMeasuresSplit(split);
  const op = adaptation ? '-' : '+';
  const rng = new Rng(streamSeed(opts.seed, split));
  const types = rng.shuffle([...cols.errorTypes]);
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const type = types[i % types.length]!;
    let made: VerifiableMathRecord | undefined;
    for (let draw = 0; made === undefined && draw < MAX_DRAWS; draw++) {
      const p = drawColumnProblem(op, cols.width, cols.minDigits, rng);
      const key = columnKey(p);
      if (used.has(key) || splitOfKey(adaptation ? 'measures' : 'arithmetic', key) !== split) continue;
      made = record(p, split, type, i, rng, opts);
      if (made !== undefined) used.add(key);
    }
    if (made === undefined) {
      throw new Error(`verifiable-math: could not make record ${i} of columns split "${split}" (error type ${type}) in ${MAX_DRAWS} draws: `
        + 'the split\'s share of the problem space is used up; raise columns.width, lower columns.minDigits or lower count');
    }
    yield made;
  }
}
