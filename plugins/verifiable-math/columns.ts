// The `columns` family: column addition (and, for task adaptation, subtraction with borrows) written least
// significant digit first, zero-padded and digit-spaced, so every column sits at a fixed offset. A wrong response
// differs from the true result in exactly one non-units digit (a dropped carry, a phantom carry, a slipped digit).
// The rationale is a table of aligned rows (carries, result digits, which response matches), then the verdict.
import type { Label } from '../../core/data/records.js';
import type { Rng } from '../../core/tensor/rng.js';

/**
 * Rationale layouts: `rows` (carries, result, match flags) or `aligned`: every input copied into an aligned row —
 * the operands `x`, `y`, then carries and result (the worked sum, as in the base model's pretraining documents),
 * then the two responses `A`, `B`, then the match flags — so every computed cell depends only on cells a fixed 10,
 * 20 or 30 tokens above it in the rationale, and the only far lookups are plain copies.
 */
export const COLUMN_LAYOUTS = ['rows', 'aligned'] as const;
/** One rationale layout. */
export type ColumnLayout = (typeof COLUMN_LAYOUTS)[number];

/** The column operations: `+` (the main domain) and `-` (the adaptation domain, x >= y). */
export type ColumnOp = '+' | '-';

/** The error types of the columns family (for `-`: a dropped borrow, a phantom borrow, a slipped digit). */
export const COLUMN_ERROR_TYPES = ['dropped-carry', 'phantom-carry', 'slipped-digit'] as const;
/** One column error type. */
export type ColumnErrorType = (typeof COLUMN_ERROR_TYPES)[number];

/** A column problem: operands as digits, least significant first, each `width` long. */
export interface ColumnProblem {
  /** The operation. */
  op: ColumnOp;
  /** First operand's digits, least significant first (zero-padded to the width). */
  x: number[];
  /** Second operand's digits, least significant first (zero-padded to the width). */
  y: number[];
}

/** The worked result: carries (borrows) into each column and the result digits, `width + 1` of each. */
export interface ColumnWork {
  /** Carry (borrow) into column i; carries[0] is 0. */
  carries: number[];
  /** Result digit of column i, least significant first. */
  digits: number[];
}

/** Digits with one space between them: `4 7 2 0`. */
export function spaced(digits: readonly number[]): string {
  return digits.join(' ');
}

/** A number's digits, least significant first, zero-padded to `width`. */
export function digitsOf(n: number, width: number): number[] {
  return Array.from({ length: width }, (_, i) => Math.floor(n / 10 ** i) % 10);
}

/** The prompt of a problem: `4 7 2 0 + 9 1 3 0`. */
export function columnPrompt(p: ColumnProblem): string {
  return `${spaced(p.x)} ${p.op} ${spaced(p.y)}`;
}

/** Parse a prompt written by `columnPrompt`, or undefined when it is not one. */
export function parseColumnPrompt(prompt: string): ColumnProblem | undefined {
  const m = /^(\d(?: \d)*) ([-+]) (\d(?: \d)*)$/.exec(prompt.trim());
  if (m === null) return undefined;
  const x = m[1]!.split(' ').map(Number), y = m[3]!.split(' ').map(Number);
  return x.length === y.length ? { op: m[2] as ColumnOp, x, y } : undefined;
}

/** Parse a response (`width + 1` spaced digits), or undefined when it is not one. */
export function parseDigits(text: string): number[] | undefined {
  return /^\d(?: \d)*$/.test(text.trim()) ? text.trim().split(' ').map(Number) : undefined;
}

/** Column by column: carries (borrows) and result digits, `width + 1` columns (the last holds the final carry). */
export function columnWork(p: ColumnProblem): ColumnWork {
  const carries = [0], digits: number[] = [];
  for (let i = 0; i <= p.x.length; i++) {
    const x = p.x[i] ?? 0, y = p.y[i] ?? 0, c = carries[i]!;
    const t = p.op === '+' ? x + y + c : x - y - c;
    digits.push(((t % 10) + 10) % 10);
    if (i < p.x.length) carries.push(p.op === '+' ? (t >= 10 ? 1 : 0) : (t < 0 ? 1 : 0));
  }
  return { carries, digits };
}

/** A flawed result: exactly one non-units digit changed, or undefined when this problem cannot carry the type. */
export function columnFlaw(p: ColumnProblem, type: ColumnErrorType, rng: Rng): { digits: number[]; column: number } | undefined {
  const w = columnWork(p);
  // Columns 1..width; for `-` the top column (always 0 when x >= y) is left alone.
  const top = p.op === '+' ? p.x.length : p.x.length - 1;
  const cols = Array.from({ length: top }, (_, i) => i + 1);
  const sign = p.op === '+' ? 1 : -1;
  const pick = (ok: (i: number) => boolean): number | undefined => {
    const usable = cols.filter(ok);
    return usable.length === 0 ? undefined : usable[rng.int(usable.length)];
  };
  let column: number | undefined, digit: number | undefined;
  if (type === 'dropped-carry') {
    column = pick((i) => w.carries[i] === 1);
    if (column !== undefined) digit = (w.digits[column]! - sign + 10) % 10;
  } else if (type === 'phantom-carry') {
    column = pick((i) => w.carries[i] === 0 && (p.op === '-' || i < p.x.length || w.digits[i] === 0));
    if (column !== undefined) digit = (w.digits[column]! + sign + 10) % 10;
  } else {
    column = pick(() => true);
    if (column !== undefined) {
      const d = w.digits[column]!;
      const others = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => (d + k) % 10).filter((v) => column !== p.x.length || v <= 1);
      digit = others[rng.int(others.length)];
    }
  }
  if (column === undefined || digit === undefined || digit === w.digits[column]) return undefined;
  const digits = [...w.digits];
  digits[column] = digit;
  return { digits, column };
}

/** The row names of a problem's rationale: carries `c` and sum `s` for `+`, borrows `b` and difference `d` for `-`. */
export function rowNames(op: ColumnOp): { carry: string; result: string } {
  return op === '+' ? { carry: 'c', result: 's' } : { carry: 'b', result: 'd' };
}

/** The match flag of one column: `=` both responses have the true digit, `A`/`B` only that one, `x` neither. */
function flag(truth: number, a: number | undefined, b: number | undefined): string {
  if (a === truth && b === truth) return '=';
  if (a === truth) return 'A';
  return b === truth ? 'B' : 'x';
}

/** One named row of a worked table: `c 0 1 0 0`. */
export interface ColumnRow {
  /** The row's name (`x`, `y`, `c`/`b`, `s`/`d`, `m`). */
  name: string;
  /** Its cells, one per column (`width + 1`). */
  cells: string[];
}

/** `width + 1` cells of digits, zero-padded (a missing digit is 0; a response too short shows `?`). */
function cellsOf(d: readonly number[], n: number, pad: string): string[] {
  return Array.from({ length: n }, (_, i) => (d[i] === undefined ? pad : String(d[i])));
}

/** The worked rows of a problem: operands (layout `aligned`), carries, result digits. */
export function workRows(p: ColumnProblem, layout: ColumnLayout): ColumnRow[] {
  const w = columnWork(p), names = rowNames(p.op), n = w.digits.length;
  const operands = layout === 'aligned' ? [{ name: 'x', cells: cellsOf(p.x, n, '0') }, { name: 'y', cells: cellsOf(p.y, n, '0') }] : [];
  return [...operands, { name: names.carry, cells: w.carries.map(String) }, { name: names.result, cells: w.digits.map(String) }];
}

/** The rows of a rationale: the worked rows, the two responses (layout `aligned`), then the match row. */
export function rationaleRows(p: ColumnProblem, a: string, b: string, layout: ColumnLayout): ColumnRow[] {
  const w = columnWork(p), n = w.digits.length;
  const da = parseDigits(a) ?? [], db = parseDigits(b) ?? [];
  const responses = layout === 'aligned' ? [{ name: 'A', cells: cellsOf(da, n, '?') }, { name: 'B', cells: cellsOf(db, n, '?') }] : [];
  return [...workRows(p, layout), ...responses, { name: 'm', cells: w.digits.map((d, i) => flag(d, da[i], db[i])) }];
}

/** Rows as text, one per line: `c 0 1 0 0\ns 3 9 5 0`. */
export function rowsText(rows: readonly ColumnRow[]): string {
  return rows.map((r) => `${r.name} ${r.cells.join(' ')}`).join('\n');
}

/**
 * The reference rationale: the layout's rows aligned digit for digit with the prompt's columns, then the verdict
 * (layout `rows`): `c 0 1 0 0 0\ns 3 9 5 0 0\nm = = A = =\nA is right.`
 */
export function columnRationale(p: ColumnProblem, a: string, b: string, label: Label, layout: ColumnLayout = 'rows'): string {
  return `${rowsText(rationaleRows(p, a, b, layout))}\n${label} is right.`;
}

/** The verdict a match row supports: the response with no wrong column while the other has one, else undefined. */
function verdictOf(flags: readonly string[]): Label | undefined {
  const aWrong = flags.some((f) => f === 'B' || f === 'x'), bWrong = flags.some((f) => f === 'A' || f === 'x');
  if (aWrong === bWrong) return undefined;
  return aWrong ? 'B' : 'A';
}

/** The layout whose row names the rationale's lines start with, or undefined. */
function layoutOf(lines: readonly string[], p: ColumnProblem): ColumnLayout | undefined {
  const names = lines.map((l) => l.split(' ')[0]);
  return COLUMN_LAYOUTS.find((layout) => {
    const want = rationaleRows(p, '', '', layout).map((r) => r.name);
    return names.length === want.length + 1 && want.every((n, i) => names[i] === n);
  });
}

/**
 * The calculator check of a column rationale (no gold label needed): the rows have one of the layouts, every cell
 * (operand digit, carry, result digit, match flag) agrees with the prompt's own operands and the two responses, the
 * verdict follows from the match row, and it names `label`. Returns one reason per failed cell or rule; empty when it
 * passes.
 */
export function checkColumnRationale(pair: { prompt: string; a: string; b: string }, rationale: string, label: Label): string[] {
  const p = parseColumnPrompt(pair.prompt);
  if (p === undefined) return ['the prompt is not a column problem ("4 7 2 + 9 1 3")'];
  const lines = rationale.trim().split('\n');
  const layout = layoutOf(lines, p), n = p.x.length + 1;
  const verdict = /^([AB]) is right\.$/.exec(lines[lines.length - 1] ?? '');
  if (layout === undefined || verdict === null) {
    const shapes = COLUMN_LAYOUTS.map((l) => rationaleRows(p, '', '', l).map((r) => `${r.name} <${n} cells>`).join('\\n'));
    return [`the rationale is not ${shapes.map((s) => `"${s}\\n<A|B> is right."`).join(' or ')}`];
  }
  const want = rationaleRows(p, pair.a, pair.b, layout);
  const reasons: string[] = [];
  want.forEach((r, k) => {
    const cells = lines[k]!.slice(r.name.length + 1).split(' ');
    if (cells.length !== n) {
      reasons.push(`row ${r.name} has ${cells.length} cells, not ${n}`);
      return;
    }
    for (let i = 0; i < n; i++) if (cells[i] !== r.cells[i]) reasons.push(`column ${i}: ${r.name} ${cells[i]} should be ${r.cells[i]}`);
  });
  const flags = lines[want.length - 1]!.slice(2).split(' ');
  const supported = verdictOf(flags);
  if (verdict[1] !== supported) reasons.push(`the verdict ${verdict[1]} does not follow from the match row (${supported ?? 'no single right response'})`);
  if (verdict[1] !== label) reasons.push(`the verdict ${verdict[1]} is not the label ${label}`);
  return reasons;
}

/** True when a response is the exact result of the problem. */
export function columnCorrect(p: ColumnProblem, text: string): boolean {
  const d = parseDigits(text);
  const w = columnWork(p).digits;
  return d !== undefined && d.length === w.length && d.every((v, i) => v === w[i]);
}

/** Draw a problem: operands of `minDigits..width` digits (uniform count, then value); for `-`, x >= y. */
export function drawColumnProblem(op: ColumnOp, width: number, minDigits: number, rng: Rng): ColumnProblem {
  const draw = (): number => {
    const d = minDigits + rng.int(width - minDigits + 1);
    const lo = d === 1 ? 0 : 10 ** (d - 1);
    return lo + rng.int(10 ** d - lo);
  };
  let u = draw(), v = draw();
  if (op === '-' && v > u) [u, v] = [v, u];
  return { op, x: digitsOf(u, width), y: digitsOf(v, width) };
}
