// Rationales that check the work of both responses, step by step, and their rule check:
// `A: 3*4=12 ok, 12+12=24 ok. B: 12+4=16 wrong step. A is right.` Each response is checked up to its first
// bad step; a step already checked earlier in the rationale is not repeated. checkRationale needs only the
// pair's text (no plan): structure, length, quoted steps present, arithmetic claims true, verdict = label.
import type { Label } from '../../core/data/records.js';
import { applyOp, type VerifiableProblem } from './problem.js';
import { parseResponse, parseStep, verifyResponse, type StepCheck } from './verify-response.js';

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}

function claim(c: StepCheck): string {
  switch (c.issue) {
    case 'arithmetic': return c.expected === undefined ? `${c.text} wrong step` : `${c.text} wrong (${fmt(c.expected)})`;
    case 'operation':
    case 'operand': return `${c.text} wrong step`;
    case 'extra': return `${c.text} extra step`;
    case 'missing': return 'missing step';
    case 'answer': return c.text === '' ? 'no answer' : `Answer ${c.text} wrong`;
    case 'unreadable': return 'unreadable step';
    default: return `${c.text} ok`;
  }
}

/** The reference rationale for a pair under the oracle: each response's steps checked up to its first bad one. */
export function referenceRationale(problem: Pick<VerifiableProblem, 'plan' | 'answer'>, a: string, b: string, label: Label): string {
  const seen = new Set<string>();
  const part = (text: string): string => {
    const items: string[] = [];
    for (const c of verifyResponse(problem, text).checks) {
      if (!c.ok) {
        items.push(claim(c));
        break;
      }
      if (!seen.has(c.text)) items.push(claim(c));
      seen.add(c.text);
    }
    return items.length === 0 ? 'steps ok' : items.join(', ');
  };
  return `A: ${part(a)}. B: ${part(b)}. ${label} is right.`;
}

/** The result of a rationale rule check. */
export interface RationaleCheck {
  /** True when no rule failed. */
  ok: boolean;
  /** One sentence per failed rule. */
  reasons: string[];
}

/** Options of checkRationale. */
export interface CheckRationaleOptions {
  /** Longest rationale allowed, in UTF-8 bytes (default 100). */
  maxBytes?: number;
}

const N = String.raw`-?\d+(?:\.\d+)?`;
const S = String.raw`${N}[-+*/]${N}=${N}`;
const SHAPE = /^A: (.+)\. B: (.+)\. ([AB]) is right\.$/;
const ITEMS: Array<[RegExp, 'ok' | 'wrong-value' | 'flaw-step' | 'answer' | 'flaw' | 'none']> = [
  [new RegExp(`^(${S}) ok$`), 'ok'],
  [new RegExp(`^(${S}) wrong \\((${N})\\)$`), 'wrong-value'],
  [new RegExp(`^(${S}) (?:wrong|extra) step$`), 'flaw-step'],
  [new RegExp(`^Answer (${N}) wrong$`), 'answer'],
  [/^(?:missing step|no answer|unreadable step)$/, 'flaw'],
  [/^steps ok$/, 'none'],
];

/**
 * Rule-check a rationale for `pair` that should justify `label`: the shape
 * `A: <items>. B: <items>. <A|B> is right.`, at most maxBytes, the verdict equal to the label, every quoted
 * step present in its response, `ok` only on true arithmetic, `wrong (v)` only on false arithmetic with v the
 * true value, no flaw found in the preferred response and at least one in the other.
 */
export function checkRationale(pair: { a: string; b: string }, rationale: string, label: Label,
  options: CheckRationaleOptions = {}): RationaleCheck {
  const reasons: string[] = [];
  const maxBytes = options.maxBytes ?? 100;
  const bytes = Buffer.byteLength(rationale, 'utf8');
  if (bytes > maxBytes) reasons.push(`rationale is ${bytes} bytes; at most ${maxBytes} allowed`);
  const m = SHAPE.exec(rationale.trim());
  if (m === null) {
    reasons.push('rationale does not have the shape "A: <checks>. B: <checks>. <A|B> is right."');
    return { ok: false, reasons };
  }
  if (m[3] !== label) reasons.push(`rationale concludes ${m[3]} is right but the label is ${label}`);
  for (const [side, body, text] of [['A', m[1]!, pair.a], ['B', m[2]!, pair.b]] as const) {
    const parsed = parseResponse(text);
    const written = new Set(parsed.steps.map((s) => s.text));
    let flaws = 0;
    for (const item of body.split(', ')) {
      const hit = ITEMS.map(([re, what]) => ({ what, g: re.exec(item) })).find((x) => x.g !== null);
      if (hit === undefined || hit.g === null) {
        reasons.push(`${side}: "${item}" is not a check ("<step> ok", "<step> wrong (<value>)", "<step> wrong step", "missing step", "Answer <n> wrong", ...)`);
        continue;
      }
      const g = hit.g;
      if (hit.what !== 'ok' && hit.what !== 'none') flaws++;
      if ((hit.what === 'ok' || hit.what === 'wrong-value' || hit.what === 'flaw-step') && !written.has(g[1]!)) {
        reasons.push(`${side}: step ${g[1]} is not in response ${side}`);
      }
      if (hit.what === 'ok' || hit.what === 'wrong-value') {
        const st = parseStep(g[1]!)!;
        const truth = applyOp(st.a, st.op, st.b);
        const right = truth !== undefined && Math.abs(truth - st.r) < 1e-9;
        if (hit.what === 'ok' && !right) reasons.push(`${side}: says ${g[1]} is ok but ${st.a}${st.op}${st.b} is ${truth === undefined ? 'undefined' : fmt(truth)}`);
        if (hit.what === 'wrong-value' && (right || truth === undefined || Math.abs(truth - Number(g[2])) > 1e-9)) {
          reasons.push(`${side}: says ${g[1]} should be ${g[2]} but ${st.a}${st.op}${st.b} is ${truth === undefined ? 'undefined' : fmt(truth)}`);
        }
      }
      if (hit.what === 'answer' && (parsed.answer === undefined || Math.abs(parsed.answer - Number(g[1])) > 1e-9)) {
        reasons.push(`${side}: says the answer is ${g[1]} but response ${side} answers ${parsed.answer ?? 'nothing'}`);
      }
    }
    if (side === label && flaws > 0) reasons.push(`${side}: finds a flaw in ${side}, the preferred response`);
    if (side !== label && flaws === 0) reasons.push(`${side}: finds no flaw in ${side}, the rejected response`);
  }
  return { ok: reasons.length === 0, reasons };
}
