// The verifiable problem: a plan of arithmetic steps (each `x op y` over given numbers and earlier results),
// its gold answer, and the worked response text `12*3=36; 36+7=43. Answer: 43`. The plan is stored in record
// meta as a compact string (`3*4;12+#1`, `#k` = result of step k, 1-based) so any pipeline can re-verify.
// Pure functions; no I/O.

/** The four operations a step may use. */
export type Op = '+' | '-' | '*' | '/';

/** A step operand: a number given in the problem, or the result of an earlier step (0-based index). */
export type Operand = { value: number } | { ref: number };

/** One planned step: `a op b`. */
export interface PlanStep {
  /** The operation. */
  op: Op;
  /** Left operand. */
  a: Operand;
  /** Right operand. */
  b: Operand;
}

/** A problem whose preference is computable: prompt, the correct plan and the gold answer. */
export interface VerifiableProblem {
  /** The problem text shown to the model. */
  prompt: string;
  /** The correct steps, in order. */
  plan: PlanStep[];
  /** The gold final answer (the plan's last result). */
  answer: number;
  /** `arithmetic` (main splits) or `measures` (task-adaptation splits). */
  domain: string;
  /** `expression`, `word`, `percent` or `units`. */
  subdomain: string;
  /** The template that produced it. */
  template: string;
}

/** One written step with the numbers as stated: `a op b = r`. */
export interface WorkStep {
  /** Left operand as written. */
  a: number;
  /** Operation as written. */
  op: Op;
  /** Right operand as written. */
  b: number;
  /** Result as written (may be wrong). */
  r: number;
}

/** `a op b`, or undefined for division by zero. */
export function applyOp(a: number, op: Op, b: number): number | undefined {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? undefined : a / b;
  }
}

/** True when swapping the operands keeps the result (`+`, `*`). */
export function isCommutative(op: Op): boolean {
  return op === '+' || op === '*';
}

function operandText(o: Operand): string {
  return 'ref' in o ? `#${o.ref + 1}` : String(o.value);
}

/** The plan as a compact string: steps joined by `;`, `#k` for the result of step k (1-based): `3*4;12+#1`. */
export function formatPlan(plan: readonly PlanStep[]): string {
  return plan.map((s) => `${operandText(s.a)}${s.op}${operandText(s.b)}`).join(';');
}

const PLAN_STEP = /^(#\d+|\d+)([-+*/])(#\d+|\d+)$/;

/** Parse `formatPlan` output; throws naming the bad step and the valid form. */
export function parsePlan(text: string): PlanStep[] {
  return text.split(';').map((part, i) => {
    const m = PLAN_STEP.exec(part.trim());
    if (m === null) throw new Error(`plan step ${i + 1} "${part}" is not of the form <x><op><y> with x, y a number or #k (k = earlier step)`);
    const operand = (t: string): Operand => {
      if (!t.startsWith('#')) return { value: Number(t) };
      const ref = Number(t.slice(1)) - 1;
      if (ref < 0 || ref >= i) throw new Error(`plan step ${i + 1} "${part}" refers to ${t}; only earlier steps #1..#${i} may be used`);
      return { ref };
    };
    return { a: operand(m[1]!), op: m[2] as Op, b: operand(m[3]!) };
  });
}

/** The correct work of a plan, or undefined when a step is not a non-negative integer. */
export function solvePlan(plan: readonly PlanStep[]): WorkStep[] | undefined {
  const out: WorkStep[] = [];
  for (const s of plan) {
    const a = 'ref' in s.a ? out[s.a.ref]?.r : s.a.value;
    const b = 'ref' in s.b ? out[s.b.ref]?.r : s.b.value;
    if (a === undefined || b === undefined) return undefined;
    const r = applyOp(a, s.op, b);
    if (r === undefined || !Number.isInteger(r) || r < 0) return undefined;
    out.push({ a, op: s.op, b, r });
  }
  return out;
}

/** Render one step: `12*3=36`. */
export function stepText(s: WorkStep): string {
  return `${s.a}${s.op}${s.b}=${s.r}`;
}

/** Render a response: steps joined by `; `, then `. Answer: N`. */
export function renderWork(steps: readonly WorkStep[], answer: number): string {
  return `${steps.map(stepText).join('; ')}. Answer: ${answer}`;
}

/** The problem fields a record keeps in `meta` so the oracle can run on the record alone. */
export interface ProblemMeta {
  /** `formatPlan` of the correct plan. */
  plan: string;
  /** The gold answer. */
  goldAnswer: number;
}

/** Rebuild the verifiable part of a problem from a record's `meta` (`plan`, `goldAnswer`) and prompt. */
export function problemOf(record: { prompt?: unknown; meta?: Record<string, unknown> | undefined }): VerifiableProblem {
  const meta = record.meta ?? {};
  if (typeof meta.plan !== 'string') throw new Error(`record meta.plan must be a plan string such as "3*4;12+#1", got ${JSON.stringify(meta.plan)}`);
  if (typeof meta.goldAnswer !== 'number') throw new Error(`record meta.goldAnswer must be a number, got ${JSON.stringify(meta.goldAnswer)}`);
  return {
    prompt: typeof record.prompt === 'string' ? record.prompt : '',
    plan: parsePlan(meta.plan),
    answer: meta.goldAnswer,
    domain: typeof meta.domain === 'string' ? meta.domain : '',
    subdomain: typeof meta.subdomain === 'string' ? meta.subdomain : '',
    template: typeof meta.template === 'string' ? meta.template : '',
  };
}
