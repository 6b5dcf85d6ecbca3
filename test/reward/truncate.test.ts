// The truncation rule: template and user input intact, responses cut from the end to a common budget (longer
// first), marked, the largest budget that fits; refusal (never a crash) when even empty responses do not fit.
import test from 'ava';
import { renderJudgePrompt, type PromptParts } from '../../core/reward/prompts.js';
import { cutResponse, fitToContext } from '../../core/reward/truncate.js';

const render = (p: PromptParts): string => `Q:${p.userInput}|A:${p.first}|B:${p.second}|END`;
const len = (s: string): number => s.length;
const parts: PromptParts = { userInput: 'qq', first: 'x'.repeat(100), second: 'y'.repeat(20) };

test('a prompt that fits is unchanged', (t) => {
  const r = fitToContext(parts, render, len, 1000, '~');
  t.false(r.truncated); t.true(r.fits); t.is(r.tokens, 134, "12 template + 2 question + 120 response characters"); t.deepEqual(r.parts, parts);
});

test('the longer response is cut first, to the largest budget that fits (hand-computed)', (t) => {
  const r = fitToContext(parts, render, len, 75, '~');
  t.is(r.parts.first, `${'x'.repeat(40)}~`);
  t.is(r.parts.second, parts.second);
  t.is(r.tokens, 75); t.true(r.truncated); t.true(r.fits);
  t.is(r.text, `Q:qq|A:${'x'.repeat(40)}~|B:${'y'.repeat(20)}|END`);
});

test('both responses are cut to a common budget when needed', (t) => {
  const r = fitToContext(parts, render, len, 40, '~');
  t.is(r.parts.first, `${'x'.repeat(12)}~`);
  t.is(r.parts.second, `${'y'.repeat(12)}~`);
  t.is(r.tokens, 40);
});

test('refusal when the question and template alone overflow: fits false with the numbers', (t) => {
  const r = fitToContext(parts, render, len, 15, '~');
  t.false(r.fits);
  t.regex(r.reason!, /16 tokens .*limit is 15/);
  t.throws(() => fitToContext(parts, render, len, 0), { message: /positive integer/ });
});

test('with a real template the template text stays whole and the default marker is shown', (t) => {
  const r2 = (p: PromptParts): string => renderJudgePrompt('gram-r2', p, (m) => m);
  const full = r2(parts);
  const r = fitToContext(parts, r2, len, full.length - 50);
  t.true(r.fits); t.true(r.truncated);
  t.true(r.parts.first.endsWith('\n[... truncated]'));
  t.true(r.text.startsWith(full.slice(0, full.indexOf('x'))), 'everything before response A intact');
  t.true(r.text.endsWith("[The End of Assistant B's Response]"));
});

test('cutResponse never splits a surrogate pair', (t) => {
  t.is(cutResponse('a😀b', 2, '~'), 'a~');
  t.is(cutResponse('a😀b', 3, '~'), 'a😀~');
  t.is(cutResponse('abc', 3, '~'), 'abc');
  t.is(cutResponse('abc', 0, '~'), '~');
});
