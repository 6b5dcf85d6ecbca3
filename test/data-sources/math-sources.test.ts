// The math loaders on real data (the shipped slices always, the whole sets from GRAMR_DATA when present): GSM8K and
// MATH-500 problems (MathProblem) and the Qwen2.5-Math candidates (CandidateSet, or correct-vs-wrong PreferencePairs
// in pairs mode), checked against the raw files.
import 'reflect-metadata';
import * as path from 'node:path';
import type { PreferencePair } from '../../core/data/records.js';
import { Gsm8kSource, Math500Source, parseGsm8kAnswer } from '../../plugins/data-sources/math-problem-sources.js';
import { QwenMathCandidatesSource } from '../../plugins/data-sources/qwen-math-candidates-source.js';
import type { CandidateSet } from '../../plugins/data-sources/records.js';
import { sliceAndWholeTests } from '../test-data.js';
import { collect, looksBalanced, rawJsonl } from './helpers.js';

sliceAndWholeTests('gsm8k: every problem, numeric gold answers without thousands commas, solutions without <<calc>>', async (t, root, scope) => {
  const file = path.join(root, 'gsm8k/test.jsonl');
  const raw = rawJsonl(file);
  const { records } = await collect(new Gsm8kSource(), { path: file });
  t.is(records.length, raw.length);
  t.is(records.length, { slice: 21, whole: 1319 }[scope]);
  t.deepEqual(records[0], {
    id: 'gsm8k:test:1', question: raw[0]!.question as string, answer: '18', source: 'gsm8k',
    solution: 'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the farmer’s market.',
  });
  t.true(records.every((r) => /^-?\d+(\.\d+)?$/.test(r.answer)), 'every GSM8K final answer is a plain number');
  const withComma = raw.findIndex((r) => /#### \d{1,3},\d{3}/.test(r.answer as string));
  t.true(withComma >= 0);
  const expected = (raw[withComma]!.answer as string).split('#### ')[1]!.replaceAll(',', '');
  t.is(records[withComma]!.answer, expected);
  t.false(records.some((r) => r.solution!.includes('<<') || r.solution!.includes('####')));
  t.deepEqual(parseGsm8kAnswer('x = 1,234,567\n#### 1,234,567'), { solution: 'x = 1,234,567', final: '1234567' });
  // The folder works as the path too.
  const viaFolder = await collect(new Gsm8kSource(), { path: path.dirname(file), limit: 3 });
  t.deepEqual(viaFolder.records, records.slice(0, 3));
});

sliceAndWholeTests('math500: every problem with the raw gold answer, unique ids, subject and level', async (t, root, scope) => {
  const file = path.join(root, 'math500/test.jsonl');
  const n = { slice: 20, whole: 500 }[scope];
  const raw = rawJsonl(file);
  const { records } = await collect(new Math500Source(), { path: file });
  t.is(records.length, n);
  records.forEach((r, i) => {
    if (r.answer !== (raw[i]!.answer as string).trim() || r.question !== raw[i]!.problem || r.solution !== raw[i]!.solution) t.fail(r.id);
  });
  t.is(new Set(records.map((r) => r.id)).size, n);
  t.is(records[0]!.id, `math500:${raw[0]!.unique_id}`);
  t.deepEqual(records[0]!.meta, { subject: raw[0]!.subject, level: raw[0]!.level, uniqueId: raw[0]!.unique_id });
});

sliceAndWholeTests('qwen-math-candidates: sets of 8 candidates with correctness, RM scores and answers', async (t, root, scope) => {
  const file = path.join(root, 'qwen25-math-rm-maj/math_cot_100.jsonl');
  const n = { slice: { sets: 8, correct: 39 }, whole: { sets: 100, correct: 728 } }[scope];
  const raw = rawJsonl(file);
  const { records } = await collect(new QwenMathCandidatesSource(), { path: file });
  const sets = records as CandidateSet[];
  t.is(sets.length, n.sets);
  t.true(sets.every((s) => s.candidates.length === 8));
  const correct = sets.reduce((k, s) => k + s.candidates.filter((c) => c.correct).length, 0);
  t.is(correct, raw.reduce((k, r) => k + (r.score as boolean[]).filter(Boolean).length, 0));
  t.is(correct, n.correct);
  const s0 = sets[0]!;
  t.deepEqual(s0.candidates[0], {
    text: (raw[0]!.response as string[])[0]!, correct: (raw[0]!.score as boolean[])[0]!,
    answer: (raw[0]!.pred as string[])[0]!, rmScore: (raw[0]!.pred_score as number[][])[0]![0]!,
  });
  t.is(s0.answer, raw[0]!.answer as string);
  t.is(s0.meta!.normalizedAnswer, raw[0]!.gt);
});

sliceAndWholeTests('qwen-math-candidates pairs mode: every correct x wrong combination, chosen is the correct one', async (t, root, scope) => {
  const file = path.join(root, 'qwen25-math-rm-maj/math_cot_100.jsonl');
  const n = { slice: { pairs: 55, problems: 4 }, whole: { pairs: 128, problems: 10 } }[scope];
  const raw = rawJsonl(file);
  const expected = raw.reduce((k, r) => {
    const c = (r.score as boolean[]).filter(Boolean).length;
    return k + c * ((r.score as boolean[]).length - c);
  }, 0);
  const { records } = await collect(new QwenMathCandidatesSource(), { path: file, mode: 'pairs' });
  const pairs = records as PreferencePair[];
  t.is(pairs.length, expected);
  t.is(pairs.length, n.pairs);
  const byIdx = new Map(raw.map((r) => [`qwen-math:${r.idx}`, r]));
  for (const p of pairs) {
    const r = byIdx.get(p.meta!.problemId as string)!;
    const i = p.meta!.correctIndex as number;
    const j = p.meta!.wrongIndex as number;
    const best = p.label === 'A' ? p.a : p.b;
    const worst = p.label === 'A' ? p.b : p.a;
    if (!(r.score as boolean[])[i] || (r.score as boolean[])[j] || best !== (r.response as string[])[i] || worst !== (r.response as string[])[j]) {
      t.fail(`pair ${p.id} does not match the raw record`);
    }
  }
  const a = pairs.filter((p) => p.label === 'A').length;
  t.true(looksBalanced(a, pairs.length), `${a} A of ${pairs.length}`);
  t.is(new Set(pairs.map((p) => p.meta!.problemId)).size, n.problems);
});
