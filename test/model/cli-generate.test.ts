// The work behind `gramr generate` / `gramr logits`: exact output on stories260K (streamed in pieces), logits as
// JSON, and option errors that name the option.
import test from 'ava';
import { runGenerate, runLogits } from '../../core/model/cli-generate.js';
import { cpu, maxDiff, REF, STORIES, STORIES_TOK } from './helpers.js';

test('generate prints prompt + greedy text + newline, streamed token by token', async (t) => {
  const out: string[] = [];
  const code = await runGenerate({ model: STORIES, tokenizer: STORIES_TOK, prompt: 'Once upon a time', 'max-tokens': '60', temperature: '0' }, await cpu(), (s) => { out.push(s); });
  t.is(code, 0);
  t.is(out.join(''), REF.text60 + '\n');
  t.true(out.length > 30, `${out.length} writes`);
});

test('logits prints the last position as a JSON array', async (t) => {
  const out: string[] = [];
  t.is(await runLogits({ model: STORIES, ids: REF.promptIds.join(',') }, await cpu(), (s) => { out.push(s); }), 0);
  const row = JSON.parse(out.join('')) as number[];
  t.is(row.length, 512);
  t.true(maxDiff(row.slice(0, 8), REF.lastLogits8) <= 1e-4);
});

test('bad option values are ConfigErrors naming the option', async (t) => {
  const be = await cpu();
  await t.throwsAsync(runGenerate({ model: STORIES, prompt: 'x', 'max-tokens': 'ten' }, be, () => {}), { message: /gramr generate: --max-tokens must be an integer >= 0, got "ten"/ });
  await t.throwsAsync(runGenerate({ model: STORIES, prompt: 'x', 'top-p': '1.5' }, be, () => {}), { message: /--top-p must be a number in \(0, 1\]/ });
  await t.throwsAsync(runGenerate({ model: STORIES }, be, () => {}), { message: /--prompt is required/ });
  await t.throwsAsync(runLogits({ model: STORIES, ids: '1,,2' }, be, () => {}), { message: /--ids must be comma-separated non-negative integers/ });
});
