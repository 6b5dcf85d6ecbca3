// The oracle and its pieces on hand-written responses: verifyResponse (each error type, commuted operands,
// missing / extra steps, bad answer lines), plan strings, carry deltas and digit slips.
import test from 'ava';
import { Rng } from '../../core/tensor/rng.js';
import {
  carryDeltas, formatPlan, parsePlan, problemOf, slipDigit, solvePlan, verifyResponse, type VerifiableProblem,
} from '../../plugins/verifiable-math/index.js';

// "Ann has 12 pens, buys 3 packs of 4, gives away 5. How many left?" -> 3*4=12; 12+12=24; 24-5=19.
const P: VerifiableProblem = {
  prompt: 'Ann has 12 pens, buys 3 packs of 4, gives away 5. How many left?', plan: parsePlan('3*4;12+#1;#2-5'), answer: 19,
  domain: 'arithmetic', subdomain: 'word', template: 'has-buys-gives',
};

test('plan strings round-trip and solve; bad plans are errors that name the step', (t) => {
  t.is(formatPlan(P.plan), '3*4;12+#1;#2-5');
  t.deepEqual(P.plan[1], { a: { value: 12 }, op: '+', b: { ref: 0 } });
  t.deepEqual(solvePlan(P.plan)!.map((s) => s.r), [12, 24, 19]);
  t.is(solvePlan(parsePlan('3-5')), undefined, 'negative results are not valid plans');
  t.throws(() => parsePlan('3*4;#2+1'), { message: /step 2 "#2\+1" refers to #2; only earlier steps #1..#1/ });
  t.throws(() => parsePlan('3x4'), { message: /step 1 "3x4" is not of the form/ });
  const fromRecord = problemOf({ prompt: 'q', meta: { plan: '7*6;#1+1', goldAnswer: 43 } });
  t.is(fromRecord.answer, 43);
  t.is(formatPlan(fromRecord.plan), '7*6;#1+1');
  t.throws(() => problemOf({ meta: { goldAnswer: 1 } }), { message: /meta\.plan must be a plan string/ });
});

test('the correct response verifies; operands of + and * may be swapped', (t) => {
  t.deepEqual(verifyResponse(P, '3*4=12; 12+12=24; 24-5=19. Answer: 19'), {
    finalCorrect: true, stepsCorrect: true, answer: 19,
    checks: [{ index: 0, text: '3*4=12', ok: true }, { index: 1, text: '12+12=24', ok: true }, { index: 2, text: '24-5=19', ok: true }],
  });
  const swapped = verifyResponse(P, '4*3=12; 12+12=24; 24-5=19. Answer: 19');
  t.true(swapped.stepsCorrect && swapped.finalCorrect);
  const notCommutative = verifyResponse(parsePlanProblem('20-5', 15), '5-20=15. Answer: 15');
  t.false(notCommutative.stepsCorrect);
});

function parsePlanProblem(plan: string, answer: number): VerifiableProblem {
  return { prompt: '', plan: parsePlan(plan), answer, domain: 'arithmetic', subdomain: 'expression', template: 't' };
}

test('each error type fails in the expected place', (t) => {
  // slipped digit in step 2, carried on consistently: only step 2 is bad.
  const slip = verifyResponse(P, '3*4=12; 12+12=34; 34-5=29. Answer: 29');
  t.like(slip, { finalCorrect: false, stepsCorrect: false, firstBadStep: 1 });
  t.deepEqual(slip.checks[1], { index: 1, text: '12+12=34', ok: false, issue: 'arithmetic', expected: 24 });
  t.true(slip.checks[2]!.ok, 'a later step that carries the wrong value on is itself fine');
  // wrong operation: + instead of * (right arithmetic, wrong step).
  const op = verifyResponse(P, '3+4=7; 12+7=19; 19-5=14. Answer: 14');
  t.like(op, { finalCorrect: false, stepsCorrect: false, firstBadStep: 0 });
  t.is(op.checks[0]!.issue, 'operation');
  // skipped step: the product is skipped, so the sum uses the stale 4.
  const skip = verifyResponse(P, '12+4=16; 16-5=11. Answer: 11');
  t.like(skip, { finalCorrect: false, stepsCorrect: false, firstBadStep: 0 });
  t.is(skip.checks.at(-1)!.issue, 'missing');
  // skipped last step: a correct prefix, then nothing.
  const stop = verifyResponse(P, '3*4=12; 12+12=24. Answer: 24');
  t.like(stop, { finalCorrect: false, stepsCorrect: false, firstBadStep: 2 });
  t.deepEqual(stop.checks[2], { index: 2, text: '', ok: false, issue: 'missing' });
  // carry error: 47+38 with the units carry dropped is 75.
  const carry = verifyResponse(parsePlanProblem('47+38', 85), '47+38=75. Answer: 75');
  t.like(carry, { finalCorrect: false, stepsCorrect: false, firstBadStep: 0 });
  t.is(carry.checks[0]!.expected, 85);
  // right answer with broken work: step 1 is wrong, yet the final answer is right.
  const broken = verifyResponse(P, '3*4=13; 12+12=24; 24-5=19. Answer: 19');
  t.like(broken, { finalCorrect: true, stepsCorrect: false, firstBadStep: 0 });
  t.is(broken.checks[1]!.issue, 'operand', 'step 2 ignores the 13 it claims step 1 gave');
  // a stale operand with otherwise right arithmetic.
  t.is(verifyResponse(P, '3*4=12; 12+4=16; 16-5=11. Answer: 11').checks[1]!.issue, 'operand');
});

test('answer lines, extra and unreadable steps', (t) => {
  t.like(verifyResponse(P, '3*4=12; 12+12=24; 24-5=19'), { finalCorrect: false, stepsCorrect: false, firstBadStep: 3 });
  const mismatch = verifyResponse(P, '3*4=12; 12+12=24; 24-5=19. Answer: 18');
  t.like(mismatch, { finalCorrect: false, stepsCorrect: false, firstBadStep: 3, answer: 18 });
  t.deepEqual(mismatch.checks.at(-1), { index: 3, text: '18', ok: false, issue: 'answer' });
  const lucky = verifyResponse(P, '3*4=12; 12+12=24. Answer: 19');
  t.like(lucky, { finalCorrect: true, stepsCorrect: false, firstBadStep: 2 }, 'a right answer the work does not reach is broken work');
  const extra = verifyResponse(P, '3*4=12; 12+12=24; 24-5=19; 19*1=19. Answer: 19');
  t.like(extra, { finalCorrect: true, stepsCorrect: false, firstBadStep: 3 });
  t.is(extra.checks[3]!.issue, 'extra');
  const junk = verifyResponse(P, '3*4 is 12; 12+12=24; 24-5=19. Answer: 19');
  t.is(junk.checks[0]!.issue, 'unreadable');
  t.true(verifyResponse(P, ' 3 * 4 = 12 ;12+12=24;24 - 5=19.  answer: 19. ').stepsCorrect, 'spaces and case are tolerated');
  t.true(verifyResponse(parsePlanProblem('540/60', 9), '540/60=9. Answer: 9').stepsCorrect);
  t.is(verifyResponse(parsePlanProblem('541/60', 9), '541/60=9. Answer: 9').checks[0]!.issue, 'arithmetic');
});

test('carryDeltas: one forgotten carry or borrow between digits', (t) => {
  t.deepEqual(carryDeltas(47, '+', 38), [-10]);            // 7+8 carries; 85 -> 75
  t.deepEqual(carryDeltas(95, '+', 7), [-10]);             // the final carry (into the hundreds) is not counted
  t.deepEqual(carryDeltas(199, '+', 1), [-10, -100]);
  t.deepEqual(carryDeltas(12, '+', 13), []);
  t.deepEqual(carryDeltas(52, '-', 17), [10]);             // 2-7 borrows; 35 -> 45
  t.deepEqual(carryDeltas(9, '-', 3), []);
  t.deepEqual(carryDeltas(17, '*', 4), [-20]);             // 7*4=28 carries 2; 68 -> 48
  t.deepEqual(carryDeltas(4, '*', 17), [-20]);
  t.deepEqual(carryDeltas(12, '*', 11), [], 'only products with a one-digit factor');
  t.deepEqual(carryDeltas(540, '/', 60), []);
});

test('slipDigit changes exactly one digit and never makes a leading zero', (t) => {
  const rng = new Rng(3);
  for (const n of [7, 40, 123, 9999, 100]) {
    for (let i = 0; i < 50; i++) {
      const m = slipDigit(n, rng);
      const s = String(n), u = String(m);
      t.is(u.length, s.length, `${n} -> ${m}`);
      t.is([...s].filter((c, j) => c !== u[j]).length, 1, `${n} -> ${m}`);
    }
  }
});
