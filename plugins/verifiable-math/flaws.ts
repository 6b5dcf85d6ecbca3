// Flawed responses with realistic error types: a slipped digit, a wrong operation, a skipped step, a carry
// (or borrow) error, and a right answer with broken work. Errors propagate the way a person's would (later
// steps carry the wrong value on), except broken work, whose later steps use the true value. Every flawed
// response is checked with verifyResponse before it is returned.
import type { Rng } from '../../core/tensor/rng.js';
import { applyOp, renderWork, solvePlan, type Op, type Operand, type PlanStep, type VerifiableProblem, type WorkStep } from './problem.js';
import { verifyResponse } from './verify-response.js';

/** The error types, in documentation order. `broken-work`: right final answer, an intermediate step wrong. */
export const ERROR_TYPES = ['slipped-digit', 'wrong-operation', 'skipped-step', 'carry-error', 'broken-work'] as const;
/** One error type. */
export type ErrorType = (typeof ERROR_TYPES)[number];

/** Error types that need a problem of at least two steps. */
export const MULTI_STEP_ERRORS: readonly ErrorType[] = ['skipped-step', 'broken-work'];

/** A flawed response. */
export interface FlawedResponse {
  /** The error type it carries. */
  errorType: ErrorType;
  /** The written steps (with the error). */
  work: WorkStep[];
  /** The stated final answer. */
  answer: number;
  /** The rendered text. */
  text: string;
  /** 0-based index of the plan step the error was made at. */
  step: number;
}

/** A plan step as a person executes it: an optional change to the stated result and whether it is carried on. */
interface DerivStep extends PlanStep {
  /** Change the stated result (gets the operands and the true result); undefined means this draw does not fit. */
  state?: (a: number, op: Op, b: number, r: number) => number | undefined;
  /** Later steps use the true result, not the stated one (broken work). */
  carryTrue?: boolean;
}

function evaluate(steps: readonly DerivStep[]): WorkStep[] | undefined {
  const out: WorkStep[] = [];
  const carried: number[] = [];
  for (const s of steps) {
    const a = 'ref' in s.a ? carried[s.a.ref] : s.a.value;
    const b = 'ref' in s.b ? carried[s.b.ref] : s.b.value;
    if (a === undefined || b === undefined) return undefined;
    const r = applyOp(a, s.op, b);
    if (r === undefined || !Number.isInteger(r) || r < 0) return undefined;
    const stated = s.state === undefined ? r : s.state(a, s.op, b, r);
    if (stated === undefined || !Number.isInteger(stated) || stated < 0 || (s.state !== undefined && stated === r)) return undefined;
    carried.push(s.carryTrue === true ? r : stated);
    out.push({ a, op: s.op, b, r: stated });
  }
  return out;
}

/** Change one digit of n (never to a leading zero). */
export function slipDigit(n: number, rng: Rng): number {
  const s = String(n);
  const pos = rng.int(s.length);
  const choices = '0123456789'.split('').filter((c) => c !== s[pos] && !(pos === 0 && s.length > 1 && c === '0'));
  return Number(s.slice(0, pos) + choices[rng.int(choices.length)]! + s.slice(pos + 1));
}

function digits(n: number): number[] {
  return String(n).split('').reverse().map(Number);
}

/**
 * The changes to `a op b`'s result that one forgotten carry (or borrow) makes, for carries between digits
 * (not the final carry): `+` drops a carry (-10^(p+1)); `-` borrows without decrementing the next digit
 * (+10^(p+1)); `*` by a one-digit factor drops a carry c (-c*10^(p+1)).
 */
export function carryDeltas(a: number, op: Op, b: number): number[] {
  const out: number[] = [];
  if (op === '+') {
    const da = digits(a), db = digits(b), len = Math.max(da.length, db.length);
    let carry = 0;
    for (let p = 0; p < len; p++) {
      carry = (da[p] ?? 0) + (db[p] ?? 0) + carry >= 10 ? 1 : 0;
      if (carry === 1 && p < len - 1) out.push(-(10 ** (p + 1)));
    }
  } else if (op === '-' && a >= b) {
    const da = digits(a), db = digits(b);
    let borrow = 0;
    for (let p = 0; p < da.length; p++) {
      borrow = da[p]! - borrow - (db[p] ?? 0) < 0 ? 1 : 0;
      if (borrow === 1 && p < da.length - 1) out.push(10 ** (p + 1));
    }
  } else if (op === '*' && Math.min(a, b) < 10 && Math.max(a, b) >= 10) {
    const d = Math.min(a, b), dm = digits(Math.max(a, b));
    let carry = 0;
    for (let p = 0; p < dm.length; p++) {
      carry = Math.floor((dm[p]! * d + carry) / 10);
      if (carry > 0 && p < dm.length - 1) out.push(-carry * 10 ** (p + 1));
    }
  }
  return out;
}

const WRONG_OPS: Record<Op, Op[]> = { '+': ['*', '-'], '-': ['+'], '*': ['+'], '/': ['*', '-'] };

/** The operand a person uses when skipping a step: the value that step would have transformed. */
function staleOperand(s: PlanStep): Operand {
  if ('ref' in s.a) return s.a;
  return s.b;
}

/** The plan with step k removed: references to k use its stale operand, later references shift down. */
function skipStep(plan: readonly PlanStep[], k: number): PlanStep[] {
  const stale = staleOperand(plan[k]!);
  const fix = (o: Operand): Operand => {
    if (!('ref' in o)) return o;
    if (o.ref === k) return stale;
    return o.ref > k ? { ref: o.ref - 1 } : o;
  };
  return plan.filter((_, i) => i !== k).map((s) => ({ op: s.op, a: fix(s.a), b: fix(s.b) }));
}

function attempt(problem: VerifiableProblem, type: ErrorType, rng: Rng): { steps: DerivStep[]; k: number } | undefined {
  const plan = problem.plan;
  const n = plan.length;
  const steps: DerivStep[] = plan.map((s) => ({ ...s }));
  switch (type) {
    case 'slipped-digit': {
      const k = rng.int(n);
      steps[k]!.state = (_a, _op, _b, r) => slipDigit(r, rng);
      return { steps, k };
    }
    case 'wrong-operation': {
      const k = rng.int(n);
      const alts = WRONG_OPS[plan[k]!.op];
      steps[k]!.op = alts[rng.int(alts.length)]!;
      return { steps, k };
    }
    case 'skipped-step': {
      if (n < 2) return undefined;
      const k = rng.int(n);
      return { steps: skipStep(plan, k), k };
    }
    case 'carry-error': {
      const work = solvePlan(plan);
      if (work === undefined) return undefined;
      const options = work.flatMap((w, k) => carryDeltas(w.a, w.op, w.b).map((delta) => ({ k, delta })));
      if (options.length === 0) return undefined;
      const { k, delta } = options[rng.int(options.length)]!;
      steps[k]!.state = (_a, _op, _b, r) => r + delta;
      return { steps, k };
    }
    case 'broken-work': {
      if (n < 2) return undefined;
      const k = rng.int(n - 1);
      steps[k]!.state = (_a, _op, _b, r) => (rng.int(2) === 0 ? slipDigit(r, rng) : r + (rng.int(2) === 0 ? -1 : 1) * (1 + rng.int(3)));
      steps[k]!.carryTrue = true;
      return { steps, k };
    }
  }
}

/**
 * A response to `problem` that carries an error of `type`, or undefined when the problem cannot carry it
 * (after a few tries). It fails verifyResponse: broken work keeps the right final answer, every other type
 * gets a wrong final answer.
 */
export function flawedResponse(problem: VerifiableProblem, type: ErrorType, rng: Rng, tries = 8): FlawedResponse | undefined {
  const correct = solvePlan(problem.plan);
  if (correct === undefined) return undefined;
  const correctText = renderWork(correct, problem.answer);
  for (let t = 0; t < tries; t++) {
    const made = attempt(problem, type, rng);
    if (made === undefined) return undefined;
    const work = evaluate(made.steps);
    if (work === undefined || work.length === 0) continue;
    const answer = work[work.length - 1]!.r;
    const text = renderWork(work, answer);
    if (text === correctText) continue;
    const check = verifyResponse(problem, text);
    const wanted = type === 'broken-work' ? check.finalCorrect && !check.stepsCorrect : !check.finalCorrect && !check.stepsCorrect;
    if (wanted) return { errorType: type, work, answer, text, step: made.k };
  }
  return undefined;
}
