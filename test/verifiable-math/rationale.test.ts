// Reference rationales and their rule check: the exact text for hand-made pairs, every seed-split rationale
// passing checkRationale, and tampered rationales failing with a reason that names the broken rule.
import test from 'ava';
import type { RationaleExample } from '../../core/data/records.js';
import { checkRationale, parsePlan, referenceRationale, type VerifiableProblem } from '../../plugins/verifiable-math/index.js';
import { gen } from './helpers.js';

const P: VerifiableProblem = {
  prompt: 'Compute 12*3+7.', plan: parsePlan('12*3;#1+7'), answer: 43, domain: 'arithmetic', subdomain: 'expression', template: 'expr-2',
};
const GOOD = '12*3=36; 36+7=43. Answer: 43';

test('referenceRationale checks both responses step by step, each up to its first bad step', (t) => {
  t.is(referenceRationale(P, GOOD, '12*3=36; 36+7=44. Answer: 44', 'A'), 'A: 12*3=36 ok, 36+7=43 ok. B: 36+7=44 wrong (43). A is right.');
  t.is(referenceRationale(P, '12+3=15; 15+7=22. Answer: 22', GOOD, 'B'), 'A: 12+3=15 wrong step. B: 12*3=36 ok, 36+7=43 ok. B is right.');
  t.is(referenceRationale(P, '12*3=36. Answer: 36', GOOD, 'B'), 'A: 12*3=36 ok, missing step. B: 36+7=43 ok. B is right.',
    'a step already checked is not repeated');
  t.is(referenceRationale(P, GOOD, '12*3=46; 36+7=43. Answer: 43', 'A'), 'A: 12*3=36 ok, 36+7=43 ok. B: 12*3=46 wrong (36). A is right.');
});

test('checkRationale accepts reference rationales and every rationale of the seed split', (t) => {
  const b = '12*3=36; 36+7=44. Answer: 44';
  t.deepEqual(checkRationale({ a: GOOD, b }, referenceRationale(P, GOOD, b, 'A'), 'A'), { ok: true, reasons: [] });
  const seed = gen({ split: 'seed' }) as RationaleExample[];
  t.is(seed.length, 300);
  for (const r of seed) {
    const c = checkRationale(r, r.rationale, r.label);
    if (!c.ok) t.fail(`${r.id}: ${c.reasons.join('; ')} in "${r.rationale}"`);
  }
  t.pass();
});

test('tampered rationales fail, each with a reason naming the broken rule', (t) => {
  const pair = { a: GOOD, b: '12*3=36; 36+7=44. Answer: 44' };
  const ref = 'A: 12*3=36 ok, 36+7=43 ok. B: 36+7=44 wrong (43). A is right.';
  const fails = (rationale: string, label: 'A' | 'B', pattern: RegExp, opts = {}): void => {
    const c = checkRationale(pair, rationale, label, opts);
    t.false(c.ok, rationale);
    t.true(c.reasons.some((r) => pattern.test(r)), `${rationale}: ${c.reasons.join(' | ')}`);
  };
  fails(ref.replace('A is right.', 'B is right.'), 'A', /concludes B is right but the label is A/);
  fails(ref, 'B', /label is B/);
  fails(ref.replace('36+7=43 ok', '36+7=42 ok'), 'A', /step 36\+7=42 is not in response A/);
  fails('A: 12*3=36 ok, 36+7=43 ok. B: 36+7=44 ok. A is right.', 'A', /says 36\+7=44 is ok but 36\+7 is 43/);
  fails('A: 12*3=36 ok, 36+7=43 ok. B: 36+7=44 wrong (45). A is right.', 'A', /should be 45 but 36\+7 is 43/);
  fails('A: 12*3=36 ok, 36+7=43 wrong step. B: 36+7=44 wrong (43). A is right.', 'A', /finds a flaw in A, the preferred response/);
  fails('A: 12*3=36 ok. B: 12*3=36 ok. A is right.', 'A', /finds no flaw in B, the rejected response/);
  fails('A: 12*3=36 ok, 36+7=43 ok. B: Answer 45 wrong. A is right.', 'A', /says the answer is 45 but response B answers 44/);
  fails('A: looks right. B: 36+7=44 wrong (43). A is right.', 'A', /A: "looks right" is not a check/);
  fails('A is right because 36+7=43.', 'A', /does not have the shape/);
  fails(ref, 'A', /rationale is 61 bytes; at most 40 allowed/, { maxBytes: 40 });
});
