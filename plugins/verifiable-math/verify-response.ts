// The oracle ("rule check") of the verifiable-math domain: parse a worked response
// (`3*4=12; 12+12=24. Answer: 24`), recompute every step and compare it with the problem's plan.
// A step is bad when its arithmetic is false, its operation differs from the plan, or its operands are not
// the given numbers / the response's own earlier results the plan calls for. Pure; relies on problem.ts.
import { applyOp, isCommutative, type Op, type VerifiableProblem, type WorkStep } from './problem.js';

/** Why a step (or the answer) is bad. */
export type StepIssue = 'arithmetic' | 'operation' | 'operand' | 'extra' | 'missing' | 'answer' | 'unreadable';

/** The verdict on one written step, or on a missing step / the answer line. */
export interface StepCheck {
  /** 0-based index among the written steps (for `missing` and `answer`: the number of steps written). */
  index: number;
  /** The step as written, spaces removed (`12+12=24`); empty for `missing`, the answer for `answer`. */
  text: string;
  /** True when the step is right. */
  ok: boolean;
  /** What is wrong, when not ok. */
  issue?: StepIssue;
  /** For `arithmetic`: the true value of the written `a op b`. */
  expected?: number;
}

/** The oracle's verdict on a response. */
export interface ResponseCheck {
  /** The stated final answer equals the gold answer. */
  finalCorrect: boolean;
  /** Every step is right, none is missing or extra, and the answer is the last step's result. */
  stepsCorrect: boolean;
  /** 0-based index of the first bad check (a missing step or bad answer line counts as index = steps written). */
  firstBadStep?: number;
  /** The stated final answer, when the response has an `Answer:` line. */
  answer?: number;
  /** One check per written step, then one for a missing step or a bad answer line when there is one. */
  checks: StepCheck[];
}

/** A response split into steps (undefined where a step does not parse) and its answer. */
export interface ParsedResponse {
  /** The written steps, in order, with the text as written (spaces removed). */
  steps: Array<{ text: string; step?: WorkStep }>;
  /** The number after `Answer:`, when present. */
  answer?: number;
}

const NUM = String.raw`-?\d+(?:\.\d+)?`;
const STEP = new RegExp(String.raw`^(${NUM})([-+*/])(${NUM})=(${NUM})$`);
const ANSWER = new RegExp(String.raw`answer:\s*(${NUM})\s*\.?\s*$`, 'i');

/** Parse one written step `a op b=r` (spaces ignored); undefined when it is not of that form. */
export function parseStep(text: string): WorkStep | undefined {
  const m = STEP.exec(text.replace(/\s+/g, ''));
  if (m === null) return undefined;
  return { a: Number(m[1]), op: m[2] as Op, b: Number(m[3]), r: Number(m[4]) };
}

/** Split a response into steps (`;`-separated, before `Answer:`) and the answer. */
export function parseResponse(text: string): ParsedResponse {
  const m = ANSWER.exec(text.trim());
  const work = (m === null ? text : text.trim().slice(0, m.index)).trim().replace(/\.$/, '');
  const steps = work.split(';').map((s) => s.replace(/\s+/g, '')).filter((s) => s !== '')
    .map((t) => {
      const step = parseStep(t);
      return step === undefined ? { text: t } : { text: t, step };
    });
  return m === null ? { steps } : { steps, answer: Number(m[1]) };
}

function same(x: number, y: number): boolean {
  return Math.abs(x - y) < 1e-9;
}

/**
 * Verify a response against a problem: recompute each step and compare it with the plan. Operands that the
 * plan takes from an earlier step are compared with the response's OWN stated result of that step, so one
 * slipped digit makes only its own step bad (later steps that carry it on consistently are fine).
 */
export function verifyResponse(problem: Pick<VerifiableProblem, 'plan' | 'answer'>, responseText: string): ResponseCheck {
  const parsed = parseResponse(responseText);
  const checks: StepCheck[] = [];
  const stated: number[] = [];
  parsed.steps.forEach(({ text, step }, i) => {
    if (step === undefined) {
      stated.push(NaN);
      checks.push({ index: i, text, ok: false, issue: 'unreadable' });
      return;
    }
    stated.push(step.r);
    const truth = applyOp(step.a, step.op, step.b);
    const plan = problem.plan[i];
    if (truth === undefined || !same(truth, step.r)) {
      const c: StepCheck = { index: i, text, ok: false, issue: 'arithmetic' };
      if (truth !== undefined) c.expected = truth;
      checks.push(c);
    } else if (plan === undefined) {
      checks.push({ index: i, text, ok: false, issue: 'extra' });
    } else if (step.op !== plan.op) {
      checks.push({ index: i, text, ok: false, issue: 'operation' });
    } else {
      const want = (o: typeof plan.a): number => ('ref' in o ? stated[o.ref] ?? NaN : o.value);
      const wa = want(plan.a);
      const wb = want(plan.b);
      const fits = (same(step.a, wa) && same(step.b, wb)) || (isCommutative(step.op) && same(step.a, wb) && same(step.b, wa));
      checks.push(fits ? { index: i, text, ok: true } : { index: i, text, ok: false, issue: 'operand' });
    }
  });
  const written = parsed.steps.length;
  if (written < problem.plan.length) checks.push({ index: written, text: '', ok: false, issue: 'missing' });
  const allOk = checks.every((c) => c.ok);
  if (parsed.answer === undefined) {
    checks.push({ index: written, text: '', ok: false, issue: 'answer' });
  } else if (allOk && !same(parsed.answer, stated[written - 1] ?? NaN)) {
    checks.push({ index: written, text: String(parsed.answer), ok: false, issue: 'answer' });
  }
  const firstBad = checks.find((c) => !c.ok);
  const out: ResponseCheck = {
    finalCorrect: parsed.answer !== undefined && same(parsed.answer, problem.answer),
    stepsCorrect: firstBad === undefined,
    checks,
  };
  if (firstBad !== undefined) out.firstBadStep = firstBad.index;
  if (parsed.answer !== undefined) out.answer = parsed.answer;
  return out;
}
