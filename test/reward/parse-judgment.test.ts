// Output parsing: the label is read only between <answer> and </answer>; everything else is a counted
// "no answer" with a reason, never B. Cases from test/fixtures/reward/judge-outputs.json plus positions.
import test from 'ava';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseJudgment } from '../../core/reward/parse-judgment.js';

interface Case { name: string; text: string; label?: string; noAnswer?: string; rationale?: string }
const cases = JSON.parse(readFileSync(path.resolve(process.cwd(), 'test/fixtures/reward/judge-outputs.json'), 'utf8')) as Case[];

test('fixture outputs parse to the expected label, no-answer reason and rationale', (t) => {
  t.is(cases.length, 13);
  for (const c of cases) {
    const p = parseJudgment(c.text);
    t.is(p.label as string | undefined, c.label, c.name);
    t.is(p.noAnswer as string | undefined, c.noAnswer, c.name);
    if ('rationale' in c) t.is(p.rationale, c.rationale, c.name);
    t.true((p.label === undefined) !== (p.noAnswer === undefined), `${c.name}: exactly one of label / noAnswer`);
  }
});

test('a missing or broken answer is never read as B', (t) => {
  const broken = cases.filter((c) => c.noAnswer !== undefined);
  t.is(broken.length, 8);
  for (const c of broken) t.is(parseJudgment(c.text).label, undefined, c.name);
});

test('labelIndex points at the label character of the first answer block', (t) => {
  const text = '<think>z</think>\n<answer>\n  a\n</answer>';
  const p = parseJudgment(text);
  t.is(p.label, 'A');
  t.is(text[p.labelIndex!], 'a');
  t.is(text.slice(0, p.labelIndex), '<think>z</think>\n<answer>\n  ');
  t.deepEqual(p.answers, ['a']);
  t.is(parseJudgment('<answer>C</answer>').labelIndex, undefined);
});

test('the think body is the first closed block, trimmed; absent without one', (t) => {
  t.is(parseJudgment('<think>  one </think><think>two</think><answer>A</answer>').rationale, 'one');
  t.is(parseJudgment('<answer>A</answer>').rationale, undefined);
});
