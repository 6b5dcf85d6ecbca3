// The record generators: a split's records, drawn from an Rng stream seeded by sha256(seed, split), where a
// problem belongs to exactly one split by a seed-independent hash of its partition key (template id + plan),
// so no problem (hence no prompt) can appear in two splits, whatever the seeds and counts. Pairs put the
// correct response at A or B by a seeded coin.
import type { Label } from '../../core/data/records.js';
import { Rng } from '../../core/tensor/rng.js';
import type { Candidate } from '../data-sources/records.js';
import { MULTI_STEP_ERRORS, flawedResponse, type ErrorType } from './flaws.js';
import { DEFAULT_COUNTS, type Split, type VerifiableMathOptions } from './options.js';
import { formatPlan, isCommutative, renderWork, solvePlan, type VerifiableProblem, type WorkStep } from './problem.js';
import { referenceRationale } from './rationale.js';
import { ARITHMETIC_TEMPLATES, MEASURES_TEMPLATES, type ProblemTemplate } from './templates.js';
import { verifyResponse } from './verify-response.js';
import { generateColumnSplit } from './column-split.js';
import { SOURCE, isMeasuresSplit, splitOfKey, streamSeed, type VerifiableMathRecord } from './split-partition.js';

/** How many draws one record may take before the generator gives up. */
const MAX_DRAWS = 20_000;

/** The key that decides a problem's split: template id and plan (names and items do not count). */
export function partitionKey(templateId: string, problem: Pick<VerifiableProblem, 'plan'>): string {
  return `${templateId}|${formatPlan(problem.plan)}`;
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The same work with the operands of `+` and `*` steps swapped at random (still verifies the same). */
export function commuteVariant(work: readonly WorkStep[], rng: Rng): WorkStep[] {
  return work.map((s) => (isCommutative(s.op) && rng.int(2) === 1 ? { ...s, a: s.b, b: s.a } : { ...s }));
}

/** A pair made from one problem: the correct and a flawed response, placed by a seeded coin. */
export interface MadePair {
  /** Response shown as A. */
  a: string;
  /** Response shown as B. */
  b: string;
  /** Where the correct response is. */
  label: Label;
  /** The reference rationale (checks both responses). */
  rationale: string;
  /** The flawed response's error type. */
  errorType: ErrorType;
  /** 0-based plan step the error was made at. */
  flawedStep: number;
}

/** The limits a record must meet. */
export interface Limits {
  /** Prompt + both responses, bytes. */
  maxPairBytes: number;
  /** Reference rationale, bytes. */
  maxRationaleBytes: number;
}

/** Make a pair for `problem` with an error of `type`, or undefined when it cannot carry it within the limits. */
export function makePair(problem: VerifiableProblem, type: ErrorType, rng: Rng, limits: Limits): MadePair | undefined {
  const work = solvePlan(problem.plan);
  if (work === undefined) return undefined;
  const flawed = flawedResponse(problem, type, rng);
  if (flawed === undefined) return undefined;
  const correct = renderWork(work, problem.answer);
  const label: Label = rng.int(2) === 0 ? 'A' : 'B';
  const [a, b] = label === 'A' ? [correct, flawed.text] : [flawed.text, correct];
  if (bytes(problem.prompt) + bytes(a) + bytes(b) > limits.maxPairBytes) return undefined;
  const rationale = referenceRationale(problem, a, b, label);
  if (bytes(rationale) > limits.maxRationaleBytes) return undefined;
  return { a, b, label, rationale, errorType: type, flawedStep: flawed.step };
}

/** Make a best-of-n candidate set: about 10% with no correct response, otherwise 1-6 correct, the rest flawed. */
export function makeCandidates(problem: VerifiableProblem, types: readonly ErrorType[], n: number, rng: Rng,
  maxPairBytes: number): { candidates: Candidate[]; errorTypes: Array<ErrorType | 'none'> } | undefined {
  const work = solvePlan(problem.plan);
  if (work === undefined) return undefined;
  const nCorrect = rng.nextFloat() < 0.1 ? 0 : Math.min(n - 1, 1 + rng.int(6));
  const usable = types.filter((t) => problem.plan.length >= 2 || !MULTI_STEP_ERRORS.includes(t));
  if (usable.length === 0) return undefined;
  const made: Array<{ text: string; type: ErrorType | 'none' }> = [];
  for (let i = 0; i < nCorrect; i++) made.push({ text: renderWork(commuteVariant(work, rng), problem.answer), type: 'none' });
  for (let tries = 0; made.length < n && tries < 20 * n; tries++) {
    const type = usable[rng.int(usable.length)]!;
    const f = flawedResponse(problem, type, rng);
    if (f !== undefined) made.push({ text: renderWork(commuteVariant(f.work, rng), f.answer), type });
  }
  if (made.length < n) return undefined;
  rng.shuffle(made);
  const longest = made.map((m) => bytes(m.text)).sort((x, y) => y - x);
  if (bytes(problem.prompt) + longest[0]! + longest[1]! > maxPairBytes) return undefined;
  const candidates = made.map(({ text }): Candidate => {
    const check = verifyResponse(problem, text);
    const c: Candidate = { text, correct: check.finalCorrect && check.stepsCorrect };
    if (check.answer !== undefined) c.answer = String(check.answer);
    return c;
  });
  return { candidates, errorTypes: made.map((m) => m.type) };
}

function problemFrom(t: ProblemTemplate, prompt: string, plan: VerifiableProblem['plan']): VerifiableProblem | undefined {
  const work = solvePlan(plan);
  if (work === undefined || work.length === 0) return undefined;
  return { prompt, plan, answer: work[work.length - 1]!.r, domain: t.domain, subdomain: t.subdomain, template: t.id };
}

function baseMeta(p: VerifiableProblem, split: Split): Record<string, unknown> {
  return {
    domain: p.domain, subdomain: p.subdomain, template: p.template, steps: p.plan.length, goldAnswer: p.answer,
    plan: formatPlan(p.plan), split,
  };
}

/**
 * Generate a split's records, deterministically from the options. Record i depends only on the seed, the
 * split and the records before it, so a smaller count gives a prefix of a larger one.
 */
export function* generateSplit(opts: VerifiableMathOptions): Generator<VerifiableMathRecord> {
  if (opts.family === 'columns') {
    yield* generateColumnSplit(opts);
    return;
  }
  const split = opts.split;
  const count = opts.count ?? DEFAULT_COUNTS[split];
  const domain = isMeasuresSplit(split) ? 'measures' : 'arithmetic';
  const d = opts.difficulty;
  const templates = (domain === 'measures' ? MEASURES_TEMPLATES : ARITHMETIC_TEMPLATES)
    .filter((t) => t.steps >= d.minSteps && t.steps <= d.maxSteps);
  if (templates.length === 0) throw new Error(`verifiable-math: no ${domain} template has ${d.minSteps}-${d.maxSteps} steps`);
  const rng = new Rng(streamSeed(opts.seed, split));
  const types = rng.shuffle([...opts.errorTypes]);
  const used = new Set<string>();
  const limits: Limits = { maxPairBytes: opts.maxPairBytes, maxRationaleBytes: opts.maxRationaleBytes };
  // Templates by step count: all of them, and those of 2+ steps (for the multi-step error types).
  const byCount = (pool: readonly ProblemTemplate[]): ProblemTemplate[][] =>
    [...new Set(pool.map((t) => t.steps))].map((n) => pool.filter((t) => t.steps === n));
  const anySteps = byCount(templates);
  const multiSteps = byCount(templates.filter((t) => t.steps >= 2));
  for (let i = 0; i < count; i++) {
    const type = types[i % types.length]!;
    const groups = split === 'candidates' || !MULTI_STEP_ERRORS.includes(type) ? anySteps : multiSteps;
    if (groups.length === 0) throw new Error(`verifiable-math: error type ${type} needs 2+ steps; difficulty allows ${d.minSteps}-${d.maxSteps}`);
    let record: VerifiableMathRecord | undefined;
    for (let draw = 0; record === undefined && draw < MAX_DRAWS; draw++) {
      const withSteps = groups[rng.int(groups.length)]!;
      const t = withSteps[rng.int(withSteps.length)]!;
      const drawn = t.draw(rng, d);
      if (drawn === undefined) continue;
      const key = partitionKey(t.id, drawn);
      if (used.has(key) || splitOfKey(domain, key) !== split) continue;
      const problem = problemFrom(t, drawn.prompt, drawn.plan);
      if (problem === undefined) continue;
      record = makeRecord(problem, split, type, i, rng, opts, limits);
      if (record !== undefined) used.add(key);
    }
    if (record === undefined) {
      throw new Error(`verifiable-math: could not make record ${i} of split "${split}" (error type ${type}) in ${MAX_DRAWS} draws: `
        + 'the split\'s share of the problem space is used up or the length limits are too tight; raise difficulty.maxOperand or '
        + 'difficulty.maxFactor, lower count, or raise maxPairBytes / maxRationaleBytes');
    }
    yield record;
  }
}

function makeRecord(problem: VerifiableProblem, split: Split, type: ErrorType, i: number, rng: Rng,
  opts: VerifiableMathOptions, limits: Limits): VerifiableMathRecord | undefined {
  const id = `vmath:${split}:${opts.seed}:${i}`;
  const meta = baseMeta(problem, split);
  if (split === 'candidates') {
    const made = makeCandidates(problem, opts.errorTypes, opts.candidatesPerSet, rng, opts.maxPairBytes);
    if (made === undefined) return undefined;
    const solution = renderWork(solvePlan(problem.plan)!, problem.answer);
    return {
      id, prompt: problem.prompt, candidates: made.candidates, answer: String(problem.answer), solution, source: SOURCE,
      meta: { ...meta, errorType: 'mixed', candidateErrorTypes: made.errorTypes },
    };
  }
  const pair = makePair(problem, type, rng, limits);
  if (pair === undefined) return undefined;
  Object.assign(meta, { errorType: pair.errorType, flawedStep: pair.flawedStep });
  const base = { id, prompt: problem.prompt, a: pair.a, b: pair.b, source: SOURCE };
  if (split.startsWith('unlabeled-')) return { ...base, meta: { ...meta, goldLabel: pair.label } };
  if (split === 'seed' || opts.rationales === true) return { ...base, label: pair.label, rationale: pair.rationale, meta };
  return { ...base, label: pair.label, meta };
}
