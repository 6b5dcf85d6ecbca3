// Judgment logs that carry their evidence, and `gramr judgments` reading them: every logged order has the model
// call's prompt hash (text once in the prompts file, equal to the prompt the judge renders), raw generation,
// parsed label, label probabilities, sample and seed, order and record id; the reader's wrong / flipped /
// no-answer / domain filters agree with the report's own per-pair outcomes; the CLI prints and pages them.
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainChat, renderJudgePrompt } from '../../core/reward/prompts.js';
import { withoutMarks } from '../../core/model/tokenizer/untrusted-text.js';
import { contentId, deriveSeed } from '../../core/reward/seeds.js';
import { promptHash, type LoggedJudgment } from '../../plugins/judging-stages/index.js';
import { StageJudgments } from '../../plugins/viewer/index.js';
import { judgedRun, type JudgedRun } from './judged-run.js';

const CLI = resolve(process.cwd(), 'dist/cli/main.js');
const jsonl = <T>(file: string): T[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);

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

interface Row { id: string; prompt: string; a: string; b: string; label: string; category: string }
interface Outcome { id: string; key: string; gold: string; domain: string; orders: Array<{ order: string; label?: string; correct: boolean }> }

let run: JudgedRun;
let rows: Row[];
let outcomes: Outcome[];
test.before(async () => {
  run = await judgedRun();
  rows = jsonl<Row>(join(run.runDir, '..', '..', 'pairs.jsonl'));
  outcomes = jsonl<Outcome>(join(run.stageDir, 'report/pairs.jsonl'));
});

test('each logged order carries its prompt (once, in the prompts file), generation, label, probabilities, order and id', (t) => {
  const logged = jsonl<LoggedJudgment>(join(run.stageDir, 'report-judgments.jsonl'));
  const prompts = jsonl<{ hash: string; prompt: string }>(join(run.stageDir, 'report-judgments-prompts.jsonl'));
  t.is(logged.length, 2 * rows.length);
  t.is(prompts.length, 2 * rows.length, 'every order of every pair is a different prompt, stored once');
  t.is(new Set(prompts.map((p) => p.hash)).size, prompts.length);
  const text = new Map(prompts.map((p) => [p.hash, p.prompt]));
  for (const l of logged) {
    const row = rows.find((r) => r.id === l.id)!;
    t.truthy(row, `logged id ${l.id} is a record id`);
    t.is(l.pair, contentId(row.prompt, row.a, row.b));
    const [first, second] = l.order === 'swapped' ? [row.b, row.a] : [row.a, row.b];
    t.is(l.key, contentId(row.prompt, first, second));
    const call = l.judgments![0]!;
    t.is(l.judgments!.length, 1);
    t.is(call.sample, 0);
    // The run's seed is 1; the judge is called per shown prompt (its content key, as shown), so the sample's seed
    // follows from the content and not from the record id or batch (greedy here, but logged as used).
    t.is(call.seed, deriveSeed(1, 'judge', l.key, 'original', 0));
    // The prompt as the model saw it: the GRAM-R² template in the plain chat format the tiny judge was trained on
    // (the marks around untrusted fields encode to nothing, so the stored text has none).
    const expected = withoutMarks(renderJudgePrompt('gram-r2', { userInput: row.prompt, first, second }, plainChat));
    t.is(text.get(call.prompt), expected);
    t.is(call.prompt, promptHash(expected));
    t.regex(call.raw, /^<think>\w+<\/think><answer>[AB]<\/answer>$/);
    t.is(call.label, l.label);
    t.is(call.rationale, first, 'the tiny judge writes the first response as its rationale');
    t.true(Math.abs(call.probs!.A + call.probs!.B - 1) < 1e-9);
    t.is(l.confidence, call.probs![l.label!]);
    t.true(l.confidence! > 0.5);
  }
});

test('the reader groups both orders per pair; wrong / flips / no-answer / domain agree with the report\'s outcomes', async (t) => {
  const sj = await StageJudgments.open(run.stageDir);
  t.is(sj.size, rows.length);
  t.deepEqual(sj.domains(), { chat: 9, math: 4 });
  const ids = async (f: Record<string, unknown>): Promise<string[]> => (await sj.page(f, 0, 100)).pairs.map((p) => p.id!).sort();
  const wrong = outcomes.filter((o) => o.orders.some((x) => x.label !== undefined && !x.correct)).map((o) => o.id).sort();
  const flipped = outcomes.filter((o) => o.orders.length === 2 && o.orders[0]!.label && o.orders[1]!.label && o.orders[0]!.label !== o.orders[1]!.label).map((o) => o.id).sort();
  t.log(`wrong ${wrong.join(',')}; flipped ${flipped.join(',') || '(none)'}`);
  t.true(run.mislabeled.every((id) => wrong.includes(id)), 'the mislabeled pairs are judged wrong');
  t.deepEqual(await ids({ wrong: true }), wrong);
  t.deepEqual(await ids({ flips: true }), flipped);
  t.deepEqual(await ids({ noAnswer: true }), []);
  t.deepEqual(await ids({ domain: 'math' }), ['mislabeled-1', 'mislabeled-2', 'two-good-1', 'two-good-2']);
  t.deepEqual(await ids({ domain: 'math', wrong: true }), wrong.filter((id) => !id.startsWith('p')));
  const page = await sj.page({}, 10, 5);
  t.is(page.total, 13);
  t.is(page.pairs.length, 3);
  const p = (await sj.page({ wrong: true }, 0, 1)).pairs[0]!;
  t.deepEqual(p.orders.map((o) => o.order), ['original', 'swapped']);
  t.is(p.orders[1]!.label, p.orders[1]!.shownLabel === 'A' ? 'B' : 'A', 'the swapped order\'s label is mapped back to the record\'s terms');
  t.true(p.orders.every((o) => o.calls[0]!.prompt!.includes('<|user|>')));
});

test('gramr judgments prints wrong pairs with their generations, pages, --json, and unanswered ones with the reason', async (t) => {
  const text = await gramr(['judgments', run.stageDir, '--wrong', '--limit', '1']);
  t.is(text.code, 0, text.stderr);
  const wrongCount = outcomes.filter((o) => o.orders.some((x) => x.label !== undefined && !x.correct)).length;
  t.regex(text.stdout, new RegExp(`^evaluate: ${wrongCount} matching pair\\(s\\), showing 1–1`));
  t.regex(text.stdout, /pair \S+ \[math\], gold [AB] — wrong/);
  t.regex(text.stdout, /original: label [AB] \(shown [AB]\), p \d+\.\d%, (correct|wrong)/);
  t.regex(text.stdout, /generation:\n {6}> <think>\w+<\/think><answer>[AB]<\/answer>/);
  const json = await gramr(['judgments', run.stageDir, '--domain', 'chat', '--offset', '8', '--json']);
  t.is(json.code, 0, json.stderr);
  const page = JSON.parse(json.stdout) as { total: number; offset: number; pairs: Array<{ domain: string; orders: Array<{ calls: Array<{ prompt: string }> }> }> };
  t.is(page.total, 9);
  t.is(page.pairs.length, 1);
  t.is(page.pairs[0]!.domain, 'chat');
  t.true(page.pairs[0]!.orders[0]!.calls[0]!.prompt.startsWith('<|user|>'));
  const none = await gramr(['judgments', run.cutShortDir, '--no-answer', '--limit', '2', '--prompts']);
  t.is(none.code, 0, none.stderr);
  t.regex(none.stdout, /^cut-short: 13 matching pair\(s\), showing 1–2/);
  t.regex(none.stdout, /no answer \(no-answer-tag\)/);
  t.regex(none.stdout, /\| <\|user\|>/);
  const bad = await gramr(['judgments', run.runDir]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /is not a stage folder \(no manifest\.json\); stages with judgments: .*evaluate/);
});
