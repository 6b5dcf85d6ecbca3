// Malformed input: every error names the file, the line (JSONL) or index (JSON arrays) and the field; files of
// the wrong shape and missing paths are clear errors; `onError: skip` skips and counts; options are strict.
import 'reflect-metadata';
import test from 'ava';
import { BENCHMARK_KINDS } from '../../plugins/data-sources/benchmark-data.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { JsonSource, JsonlSource } from '../../plugins/data-sources/generic-sources.js';
import { HhRlhfSource } from '../../plugins/data-sources/hh-rlhf-source.js';
import { dataSourceKinds } from '../../plugins/data-sources/index.js';
import { JudgeBenchSource } from '../../plugins/data-sources/judgebench-source.js';
import { LlmBarSource } from '../../plugins/data-sources/llmbar-source.js';
import { Gsm8kSource, Math500Source } from '../../plugins/data-sources/math-problem-sources.js';
import { PandaLmSource } from '../../plugins/data-sources/pandalm-source.js';
import { QwenMathCandidatesSource } from '../../plugins/data-sources/qwen-math-candidates-source.js';
import { RmBenchSource } from '../../plugins/data-sources/rm-bench-source.js';
import { MAX_SKIP_REASONS } from '../../plugins/data-sources/file-data-source.js';
import { collect } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gramr-ds-bad-'));
/** Write a file under the temp folder (creating folders) and return its path relative to it. */
function put(rel: string, content: string | Buffer): string {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), content);
  return rel;
}
const lines = (...recs: unknown[]): string => recs.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
const good = { prompt: 'p', chosen: 'x', rejected: 'y' };

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the read to fail');
}

test('jsonl: invalid JSON, a missing field, a non-object line, a bad label', async (t) => {
  const f = put('bad.jsonl', lines(good, '{"prompt": "p", "chosen": ', { prompt: 'p', chosen: 'x' }, [1, 2], { prompt: 'p', a: 'x', b: 'y', label: 'C' }));
  t.regex(await failure(collect(new JsonlSource(), { path: f }, dir)), /^bad\.jsonl line 2: is not valid JSON \(.+\)$/);
  const g = put('bad3.jsonl', lines(good, good, { prompt: 'p', chosen: 'x' }));
  t.is(await failure(collect(new JsonlSource(), { path: g }, dir)),
    'bad3.jsonl line 3: field "rejected" must be a string, got nothing (the field is missing)');
  const h = put('arr.jsonl', lines([1, 2]));
  t.is(await failure(collect(new JsonlSource(), { path: h }, dir)), 'arr.jsonl line 1: must be a JSON object (a record), got an array');
  const l = put('label.jsonl', lines({ prompt: 'p', a: 'x', b: 'y', label: 'C' }));
  const msg = await failure(collect(new JsonlSource(), { path: l }, dir));
  t.true(msg.startsWith('label.jsonl line 1: field "label" must be one of "1", "2", "A", "B", "a", "b", "A>B", "B>A", "tie"'), msg);
  t.true(msg.endsWith('(add values with the "labels" option), got "C"'), msg);
  const n = put('neither.jsonl', lines({ question: 'q', answer: 'a' }));
  t.is(await failure(collect(new JsonlSource(), { path: n }, dir)),
    'neither.jsonl line 1: has neither "chosen"/"rejected" nor "a"/"b" fields; map its fields with the "columns" option (it has: "question", "answer")');
});

test('json: the index of a bad item, with and without arrayKey; wrong shapes; invalid JSON', async (t) => {
  const f = put('bad.json', JSON.stringify([good, { ...good, prompt: 5 }]));
  t.is(await failure(collect(new JsonSource(), { path: f }, dir)), 'bad.json index 1: field "prompt" must be a string, got 5');
  const k = put('keyed.json', JSON.stringify({ data: [{ ...good, chosen: ['x'] }] }));
  t.is(await failure(collect(new JsonSource(), { path: k, arrayKey: 'data' }, dir)),
    'keyed.json key "data" index 0: field "chosen" must be a string, got ["x"]');
  t.is(await failure(collect(new JsonSource(), { path: k }, dir)),
    'keyed.json: expected a JSON array of records, found an object with keys "data"; if the records sit under a key of an object, set the "arrayKey" option to it');
  t.is(await failure(collect(new JsonSource(), { path: k, arrayKey: 'rows' }, dir)),
    'keyed.json: expected an object with an array under "rows", found an object with keys "data"');
  const b = put('broken.json', '[{"prompt": ');
  t.regex(await failure(collect(new JsonSource(), { path: b }, dir)), /^broken\.json: is not valid JSON \(.+\)$/);
});

test('jsonl given a pretty-printed JSON document says to use kind json', async (t) => {
  const f = put('pretty.jsonl', JSON.stringify([good], null, 2));
  t.is(await failure(collect(new JsonlSource(), { path: f }, dir)),
    'pretty.jsonl: line 1 is "[": this looks like a JSON document spread over several lines, not JSON Lines (one record per line); use kind "json" for JSON files');
});

test('a missing path is an error naming it', async (t) => {
  t.is(await failure(collect(new JsonlSource(), { path: 'nope/missing.jsonl' }, dir)),
    `nope/missing.jsonl: data file not found (resolved to ${path.join(dir, 'nope/missing.jsonl')})`);
  t.is(await failure(collect(new RmBenchSource(), { path: 'no-rmb' }, dir)),
    `no-rmb: not found: rm-bench needs the folder holding <domain>_filtered.json (resolved to ${path.join(dir, 'no-rmb')})`);
  t.is(await failure(new JsonlSource().fingerprint({ path: 'gone.jsonl' }, dir)),
    `gone.jsonl: data file not found (resolved to ${path.join(dir, 'gone.jsonl')})`);
});

test('duplicate ids are an error naming both places', async (t) => {
  const f = put('dup.jsonl', lines({ id: 'p1', ...good }, { id: 'p2', ...good }, { id: 'p1', ...good }));
  t.is(await failure(collect(new JsonlSource(), { path: f }, dir)),
    'dup.jsonl line 3: field "id" "p1" was already used at dup.jsonl line 1; ids must be unique');
});

test('onError skip: skips malformed records, counts them, keeps the first few reasons', async (t) => {
  const f = put('mixed.jsonl', lines(good, 'not json', { prompt: 'p', chosen: 'x' }, good, { ...good, rejected: 3 }, good));
  const { records, stats } = await collect(new JsonlSource(), { path: f, onError: 'skip' }, dir);
  t.is(records.length, 3);
  t.is(stats.read, 3);
  t.is(stats.skipped, 3);
  t.is(stats.skipReasons.length, 3);
  t.regex(stats.skipReasons[0]!, /^mixed\.jsonl line 2: is not valid JSON/);
  t.is(stats.skipReasons[1], 'mixed.jsonl line 3: field "rejected" must be a string, got nothing (the field is missing)');
  t.is(stats.skipReasons[2], 'mixed.jsonl line 5: field "rejected" must be a string, got 3');
  t.deepEqual(records.map((r) => r.id), ['mixed:1', 'mixed:4', 'mixed:6']);

  const many = put('many.jsonl', lines(...Array.from({ length: 8 }, (_, i) => ({ prompt: 'p', chosen: i }))));
  const m = await collect(new JsonlSource(), { path: many, onError: 'skip' }, dir);
  t.deepEqual([m.records.length, m.stats.skipped, m.stats.skipReasons.length], [0, 8, MAX_SKIP_REASONS]);

  // A file of the wrong shape is never skipped.
  const k = put('shape.json', JSON.stringify({ rows: [] }));
  t.regex(await failure(collect(new JsonSource(), { path: k, onError: 'skip' }, dir)), /^shape\.json: expected a JSON array/);
});

test('judgebench: a bad label on line 17 and an unknown source', async (t) => {
  const rec = (i: number, label = 'A>B', source = 'livebench-math'): object => ({
    pair_id: `id-${i}`, original_id: String(i), source, question: 'q', response_model: 'tester', response_A: 'a', response_B: 'b', label,
  });
  const recs = Array.from({ length: 20 }, (_, i) => rec(i, i === 16 ? 'A=B' : 'A>B'));
  put('jb/dataset=judgebench,response_model=tester.jsonl', lines(...recs));
  t.is(await failure(collect(new JudgeBenchSource(), { path: 'jb' }, dir)),
    'jb/dataset=judgebench,response_model=tester.jsonl line 17: field "label" must be "A>B" or "B>A", got "A=B"');
  put('jb2/dataset=judgebench,response_model=tester.jsonl', lines(rec(1, 'B>A', 'gsm8k')));
  t.is(await failure(collect(new JudgeBenchSource(), { path: 'jb2' }, dir)),
    'jb2/dataset=judgebench,response_model=tester.jsonl line 1: field "source" must be "mmlu-pro-<subject>", "livebench-reasoning", "livebench-math" or "livecodebench", got "gsm8k"');
  t.is(await failure(collect(new JudgeBenchSource(), { path: 'jb2', responseModels: ['gpt-5'] }, dir)),
    'jb2: has no file for response model "gpt-5"; available: "tester"');
});

test('rm-bench: wrong variant counts, a non-string variant, a wrong-shape file, a missing domain file', async (t) => {
  const ok = { id: 1, subset: 's', prompt: 'p', chosen: ['a', 'b', 'c'], rejected: ['d', 'e', 'f'] };
  put('rmb/chat_filtered.json', JSON.stringify([ok, { ...ok, id: 2, chosen: ['a', 'b'] }]));
  t.is(await failure(collect(new RmBenchSource(), { path: 'rmb' }, dir)),
    'rmb/chat_filtered.json index 1: field "chosen" must be an array of 3 items, got 2 items');
  put('rmb2/code_filtered.json', JSON.stringify([{ ...ok, rejected: ['d', 7, 'f'] }]));
  t.is(await failure(collect(new RmBenchSource(), { path: 'rmb2' }, dir)), 'rmb2/code_filtered.json index 0: field "rejected[1]" must be a string, got 7');
  put('rmb3/chat_filtered.json', JSON.stringify({ data: [ok] }));
  t.is(await failure(collect(new RmBenchSource(), { path: 'rmb3' }, dir)),
    'rmb3/chat_filtered.json: expected a JSON array of records, found an object with keys "data"; RM-Bench files are arrays of {id, prompt, chosen[3], rejected[3]}');
  t.is(await failure(collect(new RmBenchSource(), { path: 'rmb3', domains: ['chat', 'math'] }, dir)),
    `rmb3/math_filtered.json: RM-Bench math file not found (resolved to ${path.join(dir, 'rmb3/math_filtered.json')})`);
});

test('llmbar, pandalm, hh-rlhf: label, annotator and dialogue errors', async (t) => {
  put('llm/Dataset/LLMBar/Natural/dataset.json', JSON.stringify([{ input: 'i', output_1: 'a', output_2: 'b', label: 3 }]));
  t.is(await failure(collect(new LlmBarSource(), { path: 'llm', subsets: ['Natural'] }, dir)),
    'llm/Dataset/LLMBar/Natural/dataset.json index 0: field "label" must be 1 or 2 (the better output), got 3');
  t.is(await failure(collect(new LlmBarSource(), { path: 'llm', subsets: ['FairEval'] }, dir)),
    `llm/Dataset/Processed/FairEval/dataset.json: LLMBar FairEval file not found (resolved to ${path.join(dir, 'llm/Dataset/Processed/FairEval/dataset.json')})`);

  const panda = { idx: 0, instruction: 'i', input: '', response1: 'a', response2: 'b', annotator1: 1, annotator2: 'x', annotator3: 1 };
  const pf = put('panda.json', JSON.stringify([panda]));
  t.is(await failure(collect(new PandaLmSource(), { path: pf }, dir)),
    'panda.json index 0: field "annotator2" must be 0 (tie), 1 or 2 (the better response), as a number or string, got "x"');

  put('hh/harmless-base/test.jsonl.gz', gzipSync(lines({ chosen: '\n\nHuman: a\n\nAssistant: b', rejected: 'hello' })));
  t.is(await failure(collect(new HhRlhfSource(), { path: 'hh' }, dir)),
    'hh/harmless-base/test.jsonl.gz line 1: field "rejected" must be an HH dialogue string ("\\n\\nHuman: ...\\n\\nAssistant: ..."), got "hello"');
  put('hh2/harmless-base/test.jsonl.gz', gzipSync(lines({ chosen: '\n\nHuman: a\n\nAssistant: b', rejected: '\n\nHuman: c\n\nAssistant: d' })));
  t.is(await failure(collect(new HhRlhfSource(), { path: 'hh2' }, dir)),
    'hh2/harmless-base/test.jsonl.gz line 1: field "chosen" and "rejected" must be dialogues sharing a prefix that ends in "\\n\\nAssistant:" (the prompt), but they share none');
  put('hh3/bad.jsonl.gz', Buffer.concat([gzipSync('{"chosen": 1}\n').subarray(0, 12)]));
  t.regex(await failure(collect(new HhRlhfSource(), { path: 'hh3/bad.jsonl.gz' }, dir)), /^hh3\/bad\.jsonl\.gz: cannot read \(gzip\): /);
});

test('gsm8k, math500, qwen-math-candidates: answer, score and length errors', async (t) => {
  const g = put('gsm.jsonl', lines({ question: 'q', answer: '2+2=4\n#### 4' }, { question: 'q', answer: 'The answer is 4' }));
  t.is(await failure(collect(new Gsm8kSource(), { path: g }, dir)),
    'gsm.jsonl line 2: field "answer" must be a worked solution ending in "#### <final answer>", got "The answer is 4"');
  const m = put('m500.jsonl', lines({ problem: 'p', solution: 's', subject: 'x', level: 1, unique_id: 'u' }));
  t.is(await failure(collect(new Math500Source(), { path: m }, dir)), 'm500.jsonl line 1: field "answer" must be a string, got nothing (the field is missing)');
  const base = { idx: 0, question: 'q', answer: '1', response: ['r1', 'r2'], score: [true, false], pred: ['1', '2'], pred_score: [[0.5], [0.1]] };
  const q1 = put('q1.jsonl', lines({ ...base, score: [true] }));
  t.is(await failure(collect(new QwenMathCandidatesSource(), { path: q1 }, dir)), 'q1.jsonl line 1: field "score" must have one entry per response (2), got 1');
  const q2 = put('q2.jsonl', lines(base, { ...base, idx: 1, score: ['yes', false] }));
  t.is(await failure(collect(new QwenMathCandidatesSource(), { path: q2 }, dir)),
    'q2.jsonl line 2: field "score[0]" must be true or false (is response i correct), got "yes"');
  const q3 = put('q3.jsonl', lines({ ...base, pred: ['1'] }));
  t.is(await failure(collect(new QwenMathCandidatesSource(), { path: q3, mode: 'pairs' }, dir)),
    'q3.jsonl line 1: field "pred" must be an array of 2 items, got 1 items');
});

test('every kind rejects unknown option keys and bad values, naming the kind and the key', (t) => {
  for (const k of dataSourceKinds) {
    const r = k.schema.safeParse({ path: 'x', bogus: 1 });
    t.false(r.success, k.kind);
    t.true(JSON.stringify(r.error?.issues).includes('bogus'), k.kind);
    t.false(k.schema.safeParse({ path: 'x', onError: 'ignore' }).success, k.kind);
    // A benchmark kind may omit path (its standard place, resolved by the pipeline loader); every other kind needs one.
    t.is(k.schema.safeParse({}).success, (BENCHMARK_KINDS as readonly string[]).includes(k.kind), `${k.kind}: path optional only for benchmark kinds`);
    t.true(k.schema.safeParse({ path: 'x' }).success, k.kind);
  }
  t.false(dataSourceKinds.find((k) => k.kind === 'jsonl')!.schema.safeParse({ path: 'x', columns: { chosen: 'c', a: 'a', b: 'b' } }).success);
  t.false(dataSourceKinds.find((k) => k.kind === 'jsonl')!.schema.safeParse({ path: 'x', columns: { answer: 'c' } }).success);
});

test('read() reports invalid options with the kind and the key', async (t) => {
  const msg = await failure(collect(new JsonlSource(), { path: 'x', bogus: 1 } as never, dir));
  t.true(msg.startsWith('invalid options for data source "jsonl":\n  (options): '), msg);
  t.true(msg.includes('bogus'), msg);
});
