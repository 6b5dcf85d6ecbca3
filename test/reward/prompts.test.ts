// Judge prompts: the committed templates equal the published .txt files (test/fixtures/method, verbatim copies of
// the method's files) byte for byte (minus the file's final newline), placeholders are filled literally in one pass, and the chat renderers produce the documented text.
import test from 'ava';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GRAM_R2_TEMPLATE, GRAM_V1_TEMPLATE } from '../../core/reward/prompt-templates.js';
import { fillTemplate, plainChat, rawChat, renderJudgePrompt, renderUserMessage, userInputOf } from '../../core/reward/prompts.js';

const METHOD = path.resolve(process.cwd(), 'test/fixtures/method');
const r2File = readFileSync(path.join(METHOD, 'gram-r2-judge-prompt.txt'), 'utf8');
const v1File = readFileSync(path.join(METHOD, 'gram-v1-judge-prompt.txt'), 'utf8');

test('golden: the committed templates are the .txt files minus their final newline, byte for byte', (t) => {
  t.true(r2File.endsWith(']\n'));
  t.true(v1File.endsWith('#Preferred: \n'), 'the v1 file ends in "#Preferred: " plus a newline');
  t.is(GRAM_R2_TEMPLATE + '\n', r2File);
  t.is(GRAM_V1_TEMPLATE + '\n', v1File);
  t.is(Buffer.byteLength(GRAM_R2_TEMPLATE) + 1, readFileSync(path.join(METHOD, 'gram-r2-judge-prompt.txt')).length);
  t.true(GRAM_V1_TEMPLATE.endsWith('#Preferred: '), 'trailing space kept: the label token follows directly');
});

test('GRAM-R² fill: each placeholder replaced once, everything else untouched', (t) => {
  const msg = renderUserMessage('gram-r2', { userInput: 'Say hi.', first: 'Hi!', second: 'Hello there.' });
  const expected = r2File.slice(0, -1).split('{user_input}').join('Say hi.').split('{response_1}').join('Hi!').split('{response_2}').join('Hello there.');
  t.is(msg, expected);
  t.true(msg.endsWith("[The Start of Assistant B's Response]\nHello there.\n[The End of Assistant B's Response]"));
  t.false(/\{(user_input|response_1|response_2)\}/.test(msg));
});

test('GRAM v1 fill ends in "#Preferred: " with the responses as Answers', (t) => {
  const msg = renderUserMessage('gram-v1', { userInput: 'Q', first: 'one', second: 'two' });
  t.true(msg.endsWith("[The Start of Assistant B's Answer]\ntwo\n[The End of Assistant B's Answer]\n\n#Preferred: "));
  t.true(msg.includes('[User Question]\nQ\n\n'));
  t.is(msg.length, GRAM_V1_TEMPLATE.length - '{input}{response_a}{response_b}'.length + 'Qonetwo'.length);
});

test('replacement is literal: placeholders and $ patterns inside values are not re-substituted', (t) => {
  const tricky = 'use {response_2} and $& and $1 and $$ and {user_input}';
  const msg = renderUserMessage('gram-r2', { userInput: 'ask {response_1}', first: tricky, second: 'B$`' });
  t.true(msg.includes(`[User Question]\nask {response_1}\n`));
  t.true(msg.includes(`[The Start of Assistant A's Response]\n${tricky}\n[The End`));
  t.true(msg.includes(`[The Start of Assistant B's Response]\nB$\`\n[The End`));
  t.is(msg.split('{response_2}').length - 1, 1, 'only the occurrence inside response A');
});

test('fillTemplate: unknown placeholders stay; a value for a missing placeholder is an error', (t) => {
  t.is(fillTemplate('{a} and {b}', { a: 'x' }), 'x and {b}');
  t.throws(() => fillTemplate('{a}', { zz: 'x' }), { message: /no placeholder \{zz\}/ });
});

test('chat renderers: plain format is "<|user|>\\n" + message + "\\n<|assistant|>\\n"; raw is the message', (t) => {
  t.is(plainChat('hi'), '<|user|>\nhi\n<|assistant|>\n');
  t.is(rawChat('hi'), 'hi');
  const full = renderJudgePrompt('gram-v1', { userInput: 'Q', first: 'a', second: 'b' }, (m) => `[[${m}]]`);
  t.true(full.startsWith('[[Please act as an impartial judge') && full.endsWith('#Preferred: ]]'));
});

test('userInputOf joins an instruction above the prompt with a blank line', (t) => {
  t.is(userInputOf({ prompt: 'x' }), 'x');
  t.is(userInputOf({ prompt: 'x', instruction: 'Be brief.' }), 'Be brief.\n\nx');
  t.is(userInputOf({ prompt: 'x', instruction: '' }), 'x');
});
