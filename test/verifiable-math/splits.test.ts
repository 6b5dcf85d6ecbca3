// Every split at its default size: determinism, disjointness, label balance, error types that are really
// wrong (checked by plain arithmetic and by the oracle), length limits, unlabeled splits, candidate sets.
import test from 'ava';
import type { PreferencePair, RationaleExample } from '../../core/data/records.js';
import {
  DEFAULT_COUNTS, ERROR_TYPES, SPLITS, generateSplit, parsePlan, partitionKey, problemOf, verifiableMathOptionsSchema, verifyResponse,
} from '../../plugins/verifiable-math/index.js';
import { calc, candidateSets, gen, gold, looksBalanced, pairs, statedAnswer, writtenSteps } from './helpers.js';

// The worked family's splits (pretrain is a columns-family split: base-model documents, tested in columns.test.ts).
const WORKED_SPLITS = SPLITS.filter((s) => s !== 'pretrain');
const PAIR_SPLITS = WORKED_SPLITS.filter((s) => s !== 'candidates');
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
/** A plan `x op y;#1 op z;...` worked out by plain arithmetic (`#k` is step k's result); the last result. */
function solve(plan: string): number {
  const results: number[] = [];
  for (const step of plan.split(';')) {
    const m = /^(#?\d+)([-+*/])(#?\d+)$/.exec(step);
    if (!m) throw new Error(`unreadable plan step ${step}`);
    const value = (x: string): number => (x.startsWith('#') ? results[Number(x.slice(1)) - 1]! : Number(x));
    results.push(calc(value(m[1]!), m[2]!, value(m[3]!)));
  }
  return results[results.length - 1]!;
}

test('every split has its default size, unique ids and the meta fields', (t) => {
  for (const split of WORKED_SPLITS) {
    const recs = gen({ split });
    t.is(recs.length, DEFAULT_COUNTS[split], split);
    t.is(new Set(recs.map((r) => r.id)).size, recs.length, `${split}: ids are unique`);
    for (const r of recs) {
      const m = r.meta as Record<string, unknown>;
      t.is(m.domain, split.startsWith('adapt-') ? 'measures' : 'arithmetic');
      t.true((split.startsWith('adapt-') ? ['percent', 'units'] : ['word', 'expression']).includes(m.subdomain as string), `${r.id} subdomain ${m.subdomain}`);
      t.true(split === 'candidates' ? m.errorType === 'mixed' : (ERROR_TYPES as readonly unknown[]).includes(m.errorType), `${r.id} errorType ${m.errorType}`);
      t.is(m.steps, (m.plan as string).split(';').length, `${r.id} steps`);
      t.is(m.goldAnswer, solve(m.plan as string), `${r.id} goldAnswer of ${m.plan}`);
      t.is(parsePlan(m.plan as string).length, m.steps as number);
    }
  }
});

test('deterministic: same seed, same records; another seed, other records; a smaller count is a prefix', (t) => {
  const first = gen({ split: 'labeled', count: 200 });
  t.deepEqual([...generateSplit(verifiableMathOptionsSchema.parse({ split: 'labeled', count: 200 }))], first);
  t.deepEqual(gen({ split: 'labeled' }).slice(0, 200), first, 'count 200 is a prefix of the default 3000');
  const other = gen({ split: 'labeled', count: 200, seed: 1 });
  const prompts = new Set(first.map((r) => r.prompt));
  const shared = other.filter((r) => prompts.has(r.prompt)).length;
  t.true(shared < 20, `seed 1 shares ${shared} of 200 prompts with seed 0`);
  t.notDeepEqual(other.map((r) => (r as PreferencePair).label), first.map((r) => (r as PreferencePair).label));
});

test('splits are disjoint: no prompt and no (template, plan) in two splits, also across seeds', (t) => {
  const owner = new Map<string, string>();
  const keyOwner = new Map<string, string>();
  for (const seed of [0, 1]) {
    for (const split of WORKED_SPLITS) {
      const recs = gen(seed === 0 ? { split } : { split, seed, count: Math.min(300, DEFAULT_COUNTS[split]) });
      t.is(new Set(recs.map((r) => r.prompt)).size, recs.length, `${split} seed ${seed}: no prompt twice within the split`);
      for (const r of recs) {
        const prompt = r.prompt as string;
        const earlier = owner.get(prompt);
        if (earlier !== undefined && earlier !== split) t.fail(`"${prompt}" is in ${earlier} and ${split}`);
        owner.set(prompt, split);
        const meta = r.meta as Record<string, unknown>;
        const key = partitionKey(meta.template as string, { plan: parsePlan(meta.plan as string) });
        const k = keyOwner.get(key);
        if (k !== undefined && k !== split) t.fail(`problem ${key} is in ${k} and ${split}`);
        keyOwner.set(key, split);
      }
    }
  }
  t.true(owner.size > 12000, `${owner.size} distinct prompts in 9700 + 2500 records`);
});

test('the correct response is A about half the time in every pair split', (t) => {
  for (const split of PAIR_SPLITS) {
    const recs = pairs({ split });
    const a = recs.filter((p) => gold(p) === 'A').length;
    t.true(looksBalanced(a, recs.length), `${split}: ${a} of ${recs.length} are A`);
  }
});

test('every error type appears equally often and is really wrong; the correct response verifies', (t) => {
  for (const split of PAIR_SPLITS) {
    const recs = pairs({ split });
    const counts: Record<string, number> = {};
    for (const p of recs) {
      const meta = p.meta as Record<string, unknown>;
      const type = meta.errorType as string;
      counts[type] = (counts[type] ?? 0) + 1;
      const problem = problemOf(p);
      const [good, bad] = gold(p) === 'A' ? [p.a, p.b] : [p.b, p.a];
      const g = verifyResponse(problem, good);
      t.true(g.finalCorrect && g.stepsCorrect && statedAnswer(good) === meta.goldAnswer, `${p.id}: correct response verifies`);
      const v = verifyResponse(problem, bad);
      if (type === 'broken-work') t.true(v.finalCorrect && !v.stepsCorrect, `${p.id}: broken work keeps the right answer`);
      else t.true(!v.finalCorrect && !v.stepsCorrect, `${p.id}: ${type} has a wrong answer`);
      // Independently of the oracle: plain arithmetic on the written steps.
      const plan = parsePlan(meta.plan as string);
      const steps = writtenSteps(bad);
      const falseSteps = steps.filter((s) => calc(s.a, s.op, s.b) !== s.r);
      const answer = statedAnswer(bad);
      switch (type) {
        case 'slipped-digit': {
          t.is(steps.length, plan.length);
          t.is(falseSteps.length, 1, `${p.id}: ${bad}`);
          const s = falseSteps[0]!, truth = String(calc(s.a, s.op, s.b)), said = String(s.r);
          t.is(said.length, truth.length);
          t.is([...said].filter((c, i) => c !== truth[i]).length, 1, `${p.id}: one digit slipped in ${bad}`);
          break;
        }
        case 'wrong-operation':
          t.is(steps.length, plan.length);
          t.is(falseSteps.length, 0);
          t.is(steps.filter((s, i) => s.op !== plan[i]!.op).length, 1, `${p.id}: one operation changed in ${bad}`);
          break;
        case 'skipped-step':
          t.is(steps.length, plan.length - 1, `${p.id}: one step fewer in ${bad}`);
          t.is(falseSteps.length, 0);
          break;
        case 'carry-error': {
          t.is(falseSteps.length, 1, `${p.id}: ${bad}`);
          const s = falseSteps[0]!, diff = Math.abs(s.r - calc(s.a, s.op, s.b));
          const pow = 10 ** Math.floor(Math.log10(diff));
          t.true(diff >= 10 && diff % pow === 0 && diff / pow <= 9, `${p.id}: off by one carry (${diff}) in ${bad}`);
          break;
        }
        case 'broken-work':
          t.is(answer, meta.goldAnswer as number);
          t.is(falseSteps.length, 1, `${p.id}: ${bad}`);
          t.not(steps.at(-1), falseSteps[0], 'the broken step is an intermediate one');
          break;
        default:
          t.fail(`unknown error type ${type}`);
      }
    }
    for (const type of ERROR_TYPES) {
      t.true(counts[type] === Math.floor(recs.length / 5) || counts[type] === Math.ceil(recs.length / 5), `${split}: ${type} x${counts[type]}`);
    }
  }
});

test('length limits hold for every record of every split at default counts', (t) => {
  let longestPair = 0, longestRationale = 0;
  for (const split of WORKED_SPLITS) {
    for (const r of gen({ split })) {
      if ('candidates' in r) {
        const lens = r.candidates.map((c) => bytes(c.text)).sort((x, y) => y - x);
        t.true(bytes(r.prompt) + lens[0]! + lens[1]! <= 160, r.id);
        continue;
      }
      const p = r as PreferencePair;
      const n = bytes(p.prompt) + bytes(p.a) + bytes(p.b);
      longestPair = Math.max(longestPair, n);
      if (n > 160) t.fail(`${p.id}: prompt + responses are ${n} bytes`);
      const rat = (r as RationaleExample).rationale;
      if (rat !== undefined) longestRationale = Math.max(longestRationale, bytes(rat));
      if (rat !== undefined && bytes(rat) > 100) t.fail(`${p.id}: rationale is ${bytes(rat)} bytes`);
    }
  }
  t.true(longestPair > 120 && longestPair <= 160, `longest pair ${longestPair}`);
  t.true(longestRationale > 60 && longestRationale <= 100, `longest rationale ${longestRationale}`);
});

test('only the seed split has rationales; unlabeled splits carry no label, their gold label sits in meta', (t) => {
  for (const split of PAIR_SPLITS) {
    for (const p of pairs({ split })) {
      const meta = p.meta as Record<string, unknown>;
      t.is('rationale' in p, split === 'seed', p.id);
      if (split.startsWith('unlabeled-')) {
        t.false('label' in p, p.id);
        t.true(meta.goldLabel === 'A' || meta.goldLabel === 'B', p.id);
      } else {
        t.true(p.label === 'A' || p.label === 'B', p.id);
        t.false('goldLabel' in meta, p.id);
      }
    }
  }
});

test('candidate sets: 16 candidates, flags match the oracle, most sets hold a correct one, and a mix', (t) => {
  const sets = candidateSets();
  let withCorrect = 0, mixed = 0;
  const types = new Set<string>();
  for (const set of sets) {
    t.is(set.candidates.length, 16);
    const problem = problemOf(set);
    t.is(set.answer, String(problem.answer));
    const flags = set.candidates.map((c) => c.correct);
    for (const c of set.candidates) {
      const v = verifyResponse(problem, c.text);
      t.is(c.correct, v.finalCorrect && v.stepsCorrect, `${set.id}: ${c.text}`);
      if (c.correct) t.is(statedAnswer(c.text), problem.answer);
      t.is(c.answer, String(statedAnswer(c.text)));
    }
    const et = (set.meta as Record<string, unknown>).candidateErrorTypes as string[];
    t.deepEqual(et.map((x) => x === 'none'), flags, `${set.id}: candidateErrorTypes line up with the flags`);
    et.forEach((x) => types.add(x));
    if (flags.some(Boolean)) withCorrect++;
    if (flags.some(Boolean) && flags.some((f) => !f)) mixed++;
  }
  t.is(sets.length, 100);
  t.true(withCorrect >= 80 && withCorrect < 100, `${withCorrect} of 100 sets have a correct candidate`);
  t.is(mixed, withCorrect);
  t.deepEqual([...types].sort(), ['none', ...ERROR_TYPES].sort());
});

test('adaptation splits use the measures sub-domains (percentages, unit conversions), including division', (t) => {
  const recs = pairs({ split: 'adapt-train' });
  const subs = new Set(recs.map((r) => (r.meta as Record<string, unknown>).subdomain));
  t.deepEqual([...subs].sort(), ['percent', 'units']);
  t.true(recs.some((r) => /\//.test(String((r.meta as Record<string, unknown>).plan))));
  const main = new Set(pairs({ split: 'labeled' }).map((r) => (r.meta as Record<string, unknown>).subdomain));
  t.deepEqual([...main].sort(), ['expression', 'word']);
});

test('difficulty and errorTypes options shape the records', (t) => {
  const small = pairs({ split: 'test', count: 200, difficulty: { maxOperand: 20, maxFactor: 5, maxSteps: 2 }, errorTypes: ['slipped-digit', 'carry-error'] });
  for (const p of small) {
    const meta = p.meta as Record<string, unknown>;
    t.true((meta.steps as number) <= 2, p.id);
    t.true(meta.errorType === 'slipped-digit' || meta.errorType === 'carry-error', p.id);
    for (const s of parsePlan(meta.plan as string)) {
      for (const o of [s.a, s.b]) if ('value' in o) t.true(o.value <= (s.op === '*' ? 5 : 20), `${p.id}: ${String(meta.plan)}`);
    }
  }
  const one = pairs({ split: 'seed', count: 50, difficulty: { minSteps: 1, maxSteps: 1 }, errorTypes: ['wrong-operation'] });
  t.true(one.every((p) => (p.meta as Record<string, unknown>).steps === 1));
  t.throws(() => gen({ split: 'seed', count: 2000, difficulty: { maxOperand: 3, maxFactor: 2, maxSteps: 1 }, errorTypes: ['slipped-digit'] }),
    { message: /could not make record \d+ of split "seed".*raise difficulty\.maxOperand/ });
});
