// The judging commands as a user runs them (node dist/cli/main.js): `prompt` against the verbatim template
// files, `judge`, `eval` and `rank` on the trained tiny judge's checkpoint, and exit codes (0 ok, 1 work failed,
// 2 bad usage).
import test from 'ava';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { wholeSetTest } from '../test-data.js';
import { BAD, GOOD, tinyJudgeDir } from './tiny-judge.js';

const CLI = resolve(process.cwd(), 'dist/cli/main.js');
/** The published judge prompt files (verbatim copies of the method's, test/fixtures/method). */
const METHOD = resolve(process.cwd(), 'test/fixtures/method');

/** Run the CLI; resolves to its exit code and output. */
function gramr(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** The template file with its placeholders replaced literally, minus the file's final newline. */
function golden(file: string, values: Record<string, string>): string {
  const text = readFileSync(join(METHOD, file), 'utf8').replace(/\n$/, '');
  return text.replace(/\{(\w+)\}/g, (whole, k: string) => values[k] ?? whole); // one pass; a function: no $ patterns
}

let model: string;
let work: string;
test.before(async () => {
  model = await tinyJudgeDir();
  work = mkdtempSync(join(tmpdir(), 'gramr-judging-cli-'));
});

test('prompt: the filled templates equal the method files, byte for byte; --chat plain wraps them', async (t) => {
  // Values with placeholder text and $-patterns must appear exactly as written.
  const q = 'Which is right? {response_2} $& $1', a = 'first\nline {input}', b = '';
  const r2 = await gramr(['prompt', '--template', 'gram-r2', '--prompt', q, '--a', a, '--b', b]);
  t.is(r2.code, 0, r2.stderr);
  t.is(r2.stdout, golden('gram-r2-judge-prompt.txt', { user_input: q, response_1: a, response_2: b }));
  const v1 = await gramr(['prompt', '--template', 'gram-v1', '--prompt', q, '--a', a, '--b', 'B!', '--chat', 'plain']);
  t.is(v1.code, 0, v1.stderr);
  t.is(v1.stdout, `<|user|>\n${golden('gram-v1-judge-prompt.txt', { input: q, response_a: a, response_b: 'B!' })}\n<|assistant|>\n`);
  t.true(v1.stdout.includes('#Preferred: \n<|assistant|>'));
  const ins = await gramr(['prompt', '--template', 'gram-r2', '--prompt', 'Q', '--instruction', 'Be brief.', '--a', 'x', '--b', 'y']);
  t.true(ins.stdout.includes('[User Question]\nBe brief.\n\nQ\n\n'));
});

test('prompt --chat template: the prompt wrapped in the model folder\'s own chat template, as a real model sees it', async (t) => {
  const dir = join(work, 'chat-model');
  mkdirSync(dir, { recursive: true });
  copyFileSync(resolve(process.cwd(), 'test/fixtures/self-training/grm/tokenizer.json'), join(dir, 'tokenizer.json'));
  const template = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'PreTrainedTokenizerFast', bos_token: '<bos>', eos_token: '<eos>', chat_template: template }));
  const args = ['prompt', '--template', 'gram-r2', '--prompt', 'Q', '--a', 'x', '--b', 'y'];
  const bare = await gramr(args);
  const wrapped = await gramr([...args, '--chat', 'template', '--model', dir]);
  t.is(wrapped.code, 0, wrapped.stderr);
  t.is(wrapped.stdout, `<|im_start|>user\n${bare.stdout}<|im_end|>\n<|im_start|>assistant\n`);
  const auto = await gramr([...args, '--chat', 'auto', '--tokenizer', join(dir, 'tokenizer.json')]);
  t.is(auto.stdout, wrapped.stdout, 'auto picks the model\'s own template');
  const noModel = await gramr([...args, '--chat', 'template']);
  t.is(noModel.code, 2);
  t.regex(noModel.stderr, /--chat template wraps the prompt in a model's chat template: give --model DIR/);
});

test('prompt: bad usage exits 2 with a message naming the option', async (t) => {
  const noB = await gramr(['prompt', '--template', 'gram-r2', '--prompt', 'Q', '--a', 'x']);
  t.is(noB.code, 2);
  t.regex(noB.stderr, /--b is required/);
  const badTemplate = await gramr(['prompt', '--template', 'gram-v3', '--prompt', 'Q', '--a', 'x', '--b', 'y']);
  t.is(badTemplate.code, 2);
  t.regex(badTemplate.stderr, /--template must be one of gram-r2, gram-v1, compact, got "gram-v3"/);
});

test('judge: rationale, label and confidence as text and JSON; voting and both orders', async (t) => {
  const text = await gramr(['judge', '--model', model, '--prompt', 'choose', '--a', 'bad', '--b', 'right', '--max-tokens', '16']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^rationale: bad\nlabel: B\nconfidence: 0\.9\d+\n$/);
  const json = await gramr(['judge', '--model', model, '--prompt', 'choose', '--a', 'fine', '--b', 'poor', '--max-tokens', '16', '--json']);
  t.is(json.code, 0, json.stderr);
  const v = JSON.parse(json.stdout) as Record<string, any>;
  t.is(v.label, 'A');
  t.true(v.confidence > 0.9);
  t.is(v.rationale, 'fine');
  t.is(v.raw, '<think>fine</think><answer>A</answer>');
  t.is(v.votes.length, 1);
  const both = await gramr(['judge', '--model', model, '--prompt', 'which?', '--a', 'wrong', '--b', 'good', '--max-tokens', '16',
    '--swap', 'both', '--votes', '3', '--temperature', '0.7', '--seed', '4', '--json']);
  t.is(both.code, 0, both.stderr);
  const w = JSON.parse(both.stdout) as Record<string, any>;
  t.is(w.label, 'B');
  t.true(w.probA < 0.1);
  t.deepEqual(w.votes.map((x: { order: string }) => x.order), ['original', 'original', 'original', 'swapped', 'swapped', 'swapped']);
  t.deepEqual(w.votes.map((x: { shownLabel: string }) => x.shownLabel), ['B', 'B', 'B', 'A', 'A', 'A']);
  t.is(new Set(w.votes.map((x: { seed: number }) => x.seed)).size, 6);
});

test('judge: exit 2 for bad options, 1 when the work fails', async (t) => {
  const base = ['judge', '--model', model, '--prompt', 'q', '--a', 'x', '--b', 'y', '--max-tokens', '16'];
  const votes = await gramr([...base, '--votes', '3']);
  t.is(votes.code, 2);
  t.regex(votes.stderr, /temperature 0 would give identical samples/);
  const noModel = await gramr(['judge', '--prompt', 'q', '--a', 'x', '--b', 'y', '--swap', 'both']);
  t.is(noModel.code, 2);
  t.regex(noModel.stderr, /--model is required/);
  const labels = await gramr([...base, '--labels', 'AB,B']);
  t.is(labels.code, 1);
  t.regex(labels.stderr, /not one token each/);
  const missing = await gramr(['judge', '--model', join(work, 'no-such-model'), '--prompt', 'q', '--a', 'x', '--b', 'y']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no-such-model/);
});

test('eval: a file of pairs (JSON and markdown); an unknown benchmark is a usage error', async (t) => {
  const file = join(work, 'pairs.jsonl');
  const lines: string[] = [];
  GOOD.forEach((g, i) => {
    lines.push(JSON.stringify({ id: `a${i}`, prompt: 'choose', a: g, b: BAD[i], label: 'A' }));
    lines.push(JSON.stringify({ id: `b${i}`, prompt: 'pick one', a: BAD[(i + 1) % 3], b: g, label: 'B' }));
  });
  writeFileSync(file, lines.join('\n') + '\n');
  const json = await gramr(['eval', '--model', model, '--bench', file, '--max-tokens', '16', '--batch', '4', '--json']);
  t.is(json.code, 0, json.stderr);
  const r = JSON.parse(json.stdout) as Record<string, any>;
  t.is(r.metrics.accuracy, 1);
  t.is(r.metrics.pairAccuracy, 1);
  t.is(r.counts.pairs, 6);
  t.is(r.run.evaluator, 'pairwise');
  t.is(r.run.chat, 'plain');
  const md = await gramr(['eval', '--model', model, '--bench', file, '--max-tokens', '16', '--swap', 'none']);
  t.is(md.code, 0, md.stderr);
  t.regex(md.stdout, /\| all \| 6 \| 100\.0% \|/);
  t.regex(md.stdout, /Position: none/);
  const unknown = await gramr(['eval', '--model', model, '--bench', 'no-such-bench']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /neither a benchmark \(rm-bench, judgebench, llmbar\) nor an existing file/);
});

// The CLI finds JudgeBench at its standard location (the full data folder), so this needs the whole sets.
wholeSetTest('eval: JudgeBench from its standard path, long responses cut to the 128-token context', async (t) => {
  const jb = await gramr(['eval', '--model', model, '--bench', 'judgebench', '--limit', '2', '--max-tokens', '8', '--json']);
  t.is(jb.code, 0, jb.stderr);
  const j = JSON.parse(jb.stdout) as Record<string, any>;
  t.is(j.run.records, 2);
  t.is(j.run.evaluator, 'judgebench');
  t.regex(j.run.data, /[\\/]judgebench$/);
  // Two records, both orders: four judgments, each answered or not; the rate is the unanswered share.
  t.like(j.counts, { pairs: 2, judged: 4 });
  t.is(j.counts.answered + j.counts.noAnswer, 4);
  t.is(j.metrics.noAnswerRate, j.counts.noAnswer / 4);
});

test('every model command chooses its backend the same way: onnx then cpu by default, a list with --backend, printed', async (t) => {
  const file = join(work, 'backend-pairs.jsonl');
  writeFileSync(file, `${JSON.stringify({ id: 'p', prompt: 'choose', a: GOOD[0], b: BAD[0], label: 'A' })}\n`);
  const byDefault = await gramr(['eval', '--model', model, '--bench', file, '--max-tokens', '16', '--json']);
  t.is(byDefault.code, 0, byDefault.stderr);
  t.regex(byDefault.stderr, /^gramr eval: backend onnx \[/m);
  t.regex((JSON.parse(byDefault.stdout) as { run: { backend: string } }).run.backend, /^onnx \[/);
  const listed = await gramr(['judge', '--model', model, '--prompt', 'choose', '--a', 'bad', '--b', 'right', '--max-tokens', '16', '--backend', 'nope,cpu']);
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stderr, /^gramr judge: backend cpu <- nope failed: not registered/m);
});

test('rank: the best candidate of each set, the ranking and the comparisons used', async (t) => {
  const file = join(work, 'sets.jsonl');
  writeFileSync(file, [
    JSON.stringify({ id: 's1', prompt: 'choose', candidates: ['bad', 'poor', 'right', 'wrong'] }),
    JSON.stringify({ prompt: 'which?', candidates: [{ text: 'fine' }, { text: 'bad' }, { text: 'poor' }] }),
  ].join('\n') + '\n');
  const json = await gramr(['rank', '--model', model, '--input', file, '--method', 'full', '--max-tokens', '16', '--swap', 'both', '--json']);
  t.is(json.code, 0, json.stderr);
  const [s1, s2] = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  t.is(s1!.best, 2);
  t.is(s1!.bestText, 'right');
  t.is(s1!.order[0], 2);
  t.is(s1!.comparisons, 6);
  t.is(s1!.matches.length, 6);
  t.is(s2!.id, '1');
  t.is(s2!.best, 0);
  const text = await gramr(['rank', '--model', model, '--input', file, '--max-tokens', '16']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^s1: best #2 "right" \(knockout: 3 comparisons in 2 judge rounds\)/);
  t.regex(text.stdout, /#\d vs #\d: P\(#\d better\) = 0\.\d{4} -> #\d/);
  const bad = await gramr(['rank', '--model', model, '--input', file, '--method', 'bubble']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--method must be one of full, knockout, linear, sort/);
});
