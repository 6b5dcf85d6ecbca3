// Problem templates: short prompts with a plan of 1-3 arithmetic steps. Main domain `arithmetic` (bare
// expressions, word problems); adaptation domain `measures` (percentages, unit conversions). Each template
// draws its numbers and words from a seeded Rng (core/tensor/rng.ts) within the difficulty knobs.
import type { Rng } from '../../core/tensor/rng.js';
import type { Op, Operand, PlanStep } from './problem.js';

/** The difficulty knobs a template honours. */
export interface Difficulty {
  /** Largest number added or subtracted as given in a prompt. */
  maxOperand: number;
  /** Largest multiplication factor given in a prompt (and the largest count of repetitions). */
  maxFactor: number;
  /** Fewest steps in a problem (1-3). */
  minSteps: number;
  /** Most steps in a problem (1-3). */
  maxSteps: number;
}

/** A drawn problem before its split is decided: the prompt and the plan. */
export interface DrawnProblem {
  /** The prompt text. */
  prompt: string;
  /** The correct plan. */
  plan: PlanStep[];
}

/** One problem template. */
export interface ProblemTemplate {
  /** Stable id (part of the partition key, so changing it moves problems between splits). */
  id: string;
  /** `arithmetic` or `measures`. */
  domain: 'arithmetic' | 'measures';
  /** `expression`, `word`, `percent` or `units`. */
  subdomain: string;
  /** Number of plan steps. */
  steps: number;
  /** Draw numbers and words; undefined when this draw does not fit (the caller draws again). */
  draw(rng: Rng, d: Difficulty): DrawnProblem | undefined;
}

const NAMES = ['Ann', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kim', 'Lee', 'Max', 'Ned', 'Pam', 'Sam'];
const ITEMS = ['pens', 'cards', 'eggs', 'nuts', 'beads', 'cups', 'books', 'coins', 'shells', 'stamps', 'apples', 'socks'];
const THINGS = ['hat', 'book', 'lamp', 'bag', 'toy', 'mug', 'coat', 'kite'];
const PERCENTS = [5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 80, 90];
/** [small unit, big unit, small units per big unit]. */
const UNITS: ReadonlyArray<readonly [string, string, number]> = [
  ['min', 'h', 60], ['s', 'min', 60], ['cm', 'm', 100], ['g', 'kg', 1000], ['m', 'km', 1000], ['h', 'days', 24],
  ['days', 'weeks', 7], ['months', 'years', 12], ['mm', 'cm', 10], ['oz', 'lb', 16], ['in', 'ft', 12],
];

/** Uniform integer in [lo, hi]; undefined when the range is empty. */
function between(rng: Rng, lo: number, hi: number): number | undefined {
  return hi < lo ? undefined : lo + rng.int(hi - lo + 1);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

const v = (value: number): Operand => ({ value });
const r = (ref: number): Operand => ({ ref });
const step = (a: Operand, op: Op, b: Operand): PlanStep => ({ a, op, b });

/** Draw numbers one by one; any undefined draw makes the whole draw undefined. */
function nums(rng: Rng, ranges: Array<[number, number]>): number[] | undefined {
  const out: number[] = [];
  for (const [lo, hi] of ranges) {
    const n = between(rng, lo, hi);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

function word(id: string, steps: number,
  make: (rng: Rng, d: Difficulty, name: string, item: string) => DrawnProblem | undefined): ProblemTemplate {
  return { id, domain: 'arithmetic', subdomain: 'word', steps, draw: (rng, d) => make(rng, d, pick(rng, NAMES), pick(rng, ITEMS)) };
}

const PREC: Record<Op, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

/** `Compute (12+3)*4-7.`: a left-to-right chain of `steps` operations. */
function expression(steps: number): ProblemTemplate {
  return {
    id: `expr-${steps}`, domain: 'arithmetic', subdomain: 'expression', steps,
    draw(rng, d) {
      const plan: PlanStep[] = [];
      let text = '';
      let prec = 3;
      let cur = 0;
      for (let i = 0; i < steps; i++) {
        const op = pick(rng, ['+', '-', '*'] as const);
        let a: number | undefined;
        let b: number | undefined;
        if (op === '*') {
          a = i === 0 ? between(rng, 2, d.maxFactor) : cur;
          b = between(rng, 2, d.maxFactor);
        } else if (op === '+') {
          a = i === 0 ? between(rng, 1, d.maxOperand) : cur;
          b = between(rng, 1, d.maxOperand);
        } else {
          a = i === 0 ? between(rng, 2, d.maxOperand) : cur;
          b = a === undefined ? undefined : between(rng, 1, Math.min(a - 1, d.maxOperand));
        }
        if (a === undefined || b === undefined) return undefined;
        const left = i === 0 ? String(a) : PREC[op] > prec ? `(${text})` : text;
        text = `${left}${op}${b}`;
        prec = PREC[op];
        plan.push(step(i === 0 ? v(a) : r(i - 1), op, v(b)));
        cur = op === '+' ? a + b : op === '-' ? a - b : a * b;
      }
      return { prompt: `Compute ${text}.`, plan };
    },
  };
}

/** The main domain: bare expressions and word problems, 1-3 steps. */
export const ARITHMETIC_TEMPLATES: readonly ProblemTemplate[] = [
  expression(1), expression(2), expression(3),
  word('gets-more', 1, (rng, d, n, it) => {
    const x = nums(rng, [[2, d.maxOperand], [1, d.maxOperand]]);
    return x && { prompt: `${n} has ${x[0]} ${it} and gets ${x[1]} more. How many now?`, plan: [step(v(x[0]!), '+', v(x[1]!))] };
  }),
  word('gives-away', 1, (rng, d, n, it) => {
    const a = between(rng, 3, d.maxOperand);
    const b = a === undefined ? undefined : between(rng, 1, a - 1);
    return a === undefined || b === undefined ? undefined
      : { prompt: `${n} has ${a} ${it} and gives away ${b}. How many left?`, plan: [step(v(a), '-', v(b))] };
  }),
  word('packs', 1, (rng, d, n, it) => {
    const x = nums(rng, [[2, d.maxFactor], [2, d.maxFactor]]);
    return x && { prompt: `${n} buys ${x[0]} packs of ${x[1]} ${it}. How many ${it}?`, plan: [step(v(x[0]!), '*', v(x[1]!))] };
  }),
  word('has-buys', 2, (rng, d, n, it) => {
    const x = nums(rng, [[1, d.maxOperand], [2, d.maxFactor], [2, d.maxFactor]]);
    return x && { prompt: `${n} has ${x[0]} ${it}, buys ${x[1]} packs of ${x[2]}. How many now?`,
      plan: [step(v(x[1]!), '*', v(x[2]!)), step(v(x[0]!), '+', r(0))] };
  }),
  word('boxes-gives', 2, (rng, d, n, it) => {
    const x = nums(rng, [[2, d.maxFactor], [2, d.maxFactor]]);
    const c = x && between(rng, 1, Math.min(d.maxOperand, x[0]! * x[1]! - 1));
    return x && c !== undefined ? { prompt: `${n} buys ${x[0]} boxes of ${x[1]} ${it}, gives away ${c}. How many left?`,
      plan: [step(v(x[0]!), '*', v(x[1]!)), step(r(0), '-', v(c))] } : undefined;
  }),
  word('gets-loses', 2, (rng, d, n, it) => {
    const x = nums(rng, [[1, d.maxOperand], [1, d.maxOperand]]);
    const c = x && between(rng, 1, Math.min(d.maxOperand, x[0]! + x[1]! - 1));
    return x && c !== undefined ? { prompt: `${n} has ${x[0]} ${it}, gets ${x[1]} more, then loses ${c}. How many left?`,
      plan: [step(v(x[0]!), '+', v(x[1]!)), step(r(0), '-', v(c))] } : undefined;
  }),
  word('pages', 2, (rng, d, n) => {
    const x = nums(rng, [[2, d.maxFactor], [2, d.maxFactor], [1, d.maxOperand]]);
    return x && { prompt: `${n} reads ${x[0]} pages a day for ${x[1]} days, then ${x[2]} more. Total?`,
      plan: [step(v(x[0]!), '*', v(x[1]!)), step(r(0), '+', v(x[2]!))] };
  }),
  word('saves-spends', 2, (rng, d, n) => {
    const x = nums(rng, [[2, d.maxFactor], [2, d.maxFactor]]);
    const c = x && between(rng, 1, Math.min(d.maxOperand, x[0]! * x[1]! - 1));
    return x && c !== undefined ? { prompt: `${n} saves $${x[0]} a week for ${x[1]} weeks, spends $${c}. How much left?`,
      plan: [step(v(x[0]!), '*', v(x[1]!)), step(r(0), '-', v(c))] } : undefined;
  }),
  word('has-buys-gives', 3, (rng, d, n, it) => {
    const x = nums(rng, [[1, d.maxOperand], [2, d.maxFactor], [2, d.maxFactor]]);
    const c = x && between(rng, 1, Math.min(d.maxOperand, x[0]! + x[1]! * x[2]! - 1));
    return x && c !== undefined ? { prompt: `${n} has ${x[0]} ${it}, buys ${x[1]} packs of ${x[2]}, gives away ${c}. How many left?`,
      plan: [step(v(x[1]!), '*', v(x[2]!)), step(v(x[0]!), '+', r(0)), step(r(1), '-', v(c))] } : undefined;
  }),
  word('two-packs', 3, (rng, d, n, it) => {
    const x = nums(rng, [[2, d.maxFactor], [2, d.maxFactor], [2, d.maxFactor], [2, d.maxFactor]]);
    return x && { prompt: `${n} buys ${x[0]} packs of ${x[1]} ${it} and ${x[2]} packs of ${x[3]}. How many ${it}?`,
      plan: [step(v(x[0]!), '*', v(x[1]!)), step(v(x[2]!), '*', v(x[3]!)), step(r(0), '+', r(1))] };
  }),
  word('loses-buys', 3, (rng, d, n, it) => {
    const a = between(rng, 3, d.maxOperand);
    const x = nums(rng, [[1, (a ?? 2) - 1], [2, d.maxFactor], [2, d.maxFactor]]);
    return a !== undefined && x ? { prompt: `${n} has ${a} ${it}, loses ${x[0]}, then buys ${x[1]} packs of ${x[2]}. How many now?`,
      plan: [step(v(a), '-', v(x[0]!)), step(v(x[1]!), '*', v(x[2]!)), step(r(0), '+', r(1))] } : undefined;
  }),
  word('earns-spends', 3, (rng, d, n) => {
    const x = nums(rng, [[2, d.maxFactor], [2, d.maxFactor]]);
    const c = x && between(rng, 1, Math.min(d.maxOperand, x[0]! * x[1]! - 1));
    const e = between(rng, 1, d.maxOperand);
    return x && c !== undefined && e !== undefined ? { prompt: `${n} gets $${x[0]} a day for ${x[1]} days, spends $${c}, gets $${e}. Total?`,
      plan: [step(v(x[0]!), '*', v(x[1]!)), step(r(0), '-', v(c)), step(r(1), '+', v(e))] } : undefined;
  }),
];

/** A base number n (10..500) for which p% of n is an integer. */
function percentBase(rng: Rng, p: number): number | undefined {
  const q = 100 / gcd(p, 100);
  const k = between(rng, Math.ceil(10 / q), Math.floor(500 / q));
  return k === undefined ? undefined : k * q;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function measure(id: string, subdomain: 'percent' | 'units', steps: number, draw: ProblemTemplate['draw']): ProblemTemplate {
  return { id, domain: 'measures', subdomain, steps, draw };
}

/** The adaptation domain: percentages and unit conversions, 1-3 steps, including exact division. */
export const MEASURES_TEMPLATES: readonly ProblemTemplate[] = [
  measure('to-small', 'units', 1, (rng, d) => {
    const [s, b, f] = pick(rng, UNITS);
    const a = between(rng, 2, d.maxFactor)!;
    return { prompt: `How many ${s} in ${a} ${b}?`, plan: [step(v(a), '*', v(f))] };
  }),
  measure('to-big', 'units', 1, (rng, d) => {
    const [s, b, f] = pick(rng, UNITS);
    const k = between(rng, 2, d.maxFactor)!;
    return { prompt: `How many ${b} is ${k * f} ${s}?`, plan: [step(v(k * f), '/', v(f))] };
  }),
  measure('mixed', 'units', 2, (rng, d) => {
    const [s, b, f] = pick(rng, UNITS);
    const a = between(rng, 1, d.maxFactor)!;
    const c = between(rng, 1, f - 1)!;
    return { prompt: `How many ${s} in ${a} ${b} ${c} ${s}?`, plan: [step(v(a), '*', v(f)), step(r(0), '+', v(c))] };
  }),
  measure('used', 'units', 2, (rng, d) => {
    const [s, b, f] = pick(rng, UNITS);
    const a = between(rng, 1, d.maxFactor)!;
    const c = between(rng, 1, f - 1)!;
    return { prompt: `${pick(rng, NAMES)} had ${a} ${b} and used ${c} ${s}. How many ${s} left?`,
      plan: [step(v(a), '*', v(f)), step(r(0), '-', v(c))] };
  }),
  measure('repeat', 'units', 3, (rng, d) => {
    const [s, b, f] = pick(rng, UNITS);
    const a = between(rng, 1, d.maxFactor)!;
    const c = between(rng, 1, f - 1)!;
    const k = between(rng, 2, 9)!;
    return { prompt: `${a} ${b} ${c} ${s} each, ${k} times. How many ${s}?`,
      plan: [step(v(a), '*', v(f)), step(r(0), '+', v(c)), step(r(1), '*', v(k))] };
  }),
  measure('percent-of', 'percent', 2, (rng) => {
    const p = pick(rng, PERCENTS);
    const n = percentBase(rng, p);
    return n === undefined ? undefined : { prompt: `What is ${p}% of ${n}?`, plan: [step(v(n), '*', v(p)), step(r(0), '/', v(100))] };
  }),
  measure('what-percent', 'percent', 2, (rng) => {
    const p = pick(rng, PERCENTS);
    const n = percentBase(rng, p);
    return n === undefined ? undefined
      : { prompt: `${(n * p) / 100} is what % of ${n}?`, plan: [step(v((n * p) / 100), '*', v(100)), step(r(0), '/', v(n))] };
  }),
  measure('discount', 'percent', 3, (rng) => {
    const p = pick(rng, PERCENTS);
    const n = percentBase(rng, p);
    return n === undefined ? undefined : { prompt: `A ${pick(rng, THINGS)} costs $${n}, ${p}% off. New price?`,
      plan: [step(v(n), '*', v(p)), step(r(0), '/', v(100)), step(v(n), '-', r(1))] };
  }),
  measure('percent-more', 'percent', 3, (rng) => {
    const p = pick(rng, PERCENTS);
    const n = percentBase(rng, p);
    return n === undefined ? undefined : { prompt: `${pick(rng, NAMES)} has ${n} ${pick(rng, ITEMS)}, gets ${p}% more. How many now?`,
      plan: [step(v(n), '*', v(p)), step(r(0), '/', v(100)), step(v(n), '+', r(1))] };
  }),
];
