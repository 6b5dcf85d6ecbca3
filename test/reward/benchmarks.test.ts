// The evaluators against the real loaders' records (the shipped slices, and the whole sets from GRAMR_DATA when
// present): RM-Bench and JudgeBench records from the data-source plugin have the shape the evaluators expect, and the numbers of a trivial judge match the labels
// counted independently; best-of-n on hand-made sets (hand-computed) and on the Qwen2.5-Math candidate sets.
import 'reflect-metadata';
import test from 'ava';
import { Container } from 'inversify';
import { KindLookupId } from '../../core/di/identifiers.js';
import { bindKindLookup, type KindLookup } from '../../core/di/kind-lookup.js';
import * as path from 'node:path';
import type { PreferencePair } from '../../core/data/records.js';
import { newReadStats, type DataSource } from '../../core/data/data-source.js';
import type { DataRecord } from '../../core/data/records.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { JudgeBenchSource } from '../../plugins/data-sources/judgebench-source.js';
import { QwenMathCandidatesSource } from '../../plugins/data-sources/qwen-math-candidates-source.js';
import type { CandidateSet } from '../../plugins/data-sources/records.js';
import { RmBenchSource } from '../../plugins/data-sources/rm-bench-source.js';
import { BestOfNEvaluator } from '../../plugins/evaluators/best-of-n-evaluator.js';
import { JudgeBenchEvaluator } from '../../plugins/evaluators/judgebench-evaluator.js';
import { RmBenchEvaluator } from '../../plugins/evaluators/rm-bench-evaluator.js';
import rankersModule from '../../plugins/rankers/index.js';
import { sliceAndWholeTests } from '../test-data.js';
import { quality, scriptedJudge } from './scripted-model.js';

const ctx = defaultTaskContext(9);

/** The KindLookup of a container with the built-in rankers, as best-of-n gets it from the plugin container. */
async function rankerLookup(): Promise<KindLookup> {
  const c = new Container();
  bindKindLookup(c);
  await c.load(rankersModule);
  return c.get<KindLookup>(KindLookupId);
}
const close = (a: number | undefined, b: number): boolean => a !== undefined && Math.abs(a - b) < 1e-12;

async function read<O>(source: DataSource<O, DataRecord>, options: O): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const r of source.read(options, process.cwd(), ctx, newReadStats())) out.push(r);
  return out;
}

const fractionA = (ps: PreferencePair[]): number => ps.filter((p) => p.label === 'A').length / ps.length;

sliceAndWholeTests('rm-bench: an always-A judge scores each domain\'s share of A labels', async (t, root) => {
  const records = await read(new RmBenchSource() as unknown as DataSource<{ path: string }, DataRecord>, { path: path.join(root, 'rm-bench') });
  const pairs = records as PreferencePair[];
  const r = await new RmBenchEvaluator().evaluate(records, scriptedJudge(() => ({ label: 'A', confidence: 0.6 })), { position: 'none', batchSize: 4096 }, ctx);
  const present = ['chat', 'math', 'code', 'safety'].filter((d) => pairs.some((p) => p.meta!.category === d));
  t.deepEqual(present, ['chat', 'code', 'safety'], 'the data has no math');
  for (const d of present) t.true(close(r.metrics[d], fractionA(pairs.filter((p) => p.meta!.category === d))), d);
  t.true(close(r.metrics.overall, present.reduce((s, d) => s + r.metrics[d]!, 0) / present.length));
  t.is(r.counts.pairs, pairs.length);
  t.regex(r.notes[0]!, /absent: math/);
});

sliceAndWholeTests('judgebench: an always-A judge scores each category\'s share of A labels', async (t, root) => {
  const records = await read(new JudgeBenchSource() as unknown as DataSource<{ path: string }, DataRecord>, { path: path.join(root, 'judgebench') });
  const pairs = records as PreferencePair[];
  const r = await new JudgeBenchEvaluator().evaluate(records, scriptedJudge(() => ({ label: 'A' })), { position: 'none', batchSize: 1000 }, ctx);
  const cats = ['knowledge', 'reasoning', 'math', 'coding'];
  for (const c of cats) t.true(close(r.metrics[c], fractionA(pairs.filter((p) => p.meta!.category === c))), c);
  t.true(close(r.metrics.overall, cats.reduce((s, c) => s + r.metrics[c]!, 0) / 4));
});

test('best-of-n on hand-made sets: pick, oracle and random per n (hand-computed), knockout comparisons', async (t) => {
  const set = (id: string, qs: number[], correct: boolean[]): CandidateSet =>
    ({ id, prompt: `p${id}`, source: 'hand', candidates: qs.map((q, i) => ({ text: `q=${q} #${i}`, correct: correct[i]! })) });
  const records = [
    set('s1', [1, 3, 2, 0], [false, true, false, false]),
    set('s2', [5, 1, 2, 4], [false, false, true, true]),
    set('s3', [2, 6], [true, false]),
  ];
  const judge = scriptedJudge((p) => ({ label: quality(p.a) > quality(p.b) ? 'A' : 'B', confidence: 0.8 }));
  const r = await new BestOfNEvaluator(await rankerLookup()).evaluate(records, judge, {}, ctx);
  t.true(close(r.metrics['pick@1'], 1 / 3)); t.true(close(r.metrics['oracle@1'], 1 / 3)); t.true(close(r.metrics['random@1'], 1 / 3));
  t.true(close(r.metrics['pick@2'], 1 / 3)); t.true(close(r.metrics['oracle@2'], 2 / 3)); t.true(close(r.metrics['random@2'], 1 / 3));
  t.is(r.metrics['pick@4'], 0.5); t.is(r.metrics['oracle@4'], 1); t.is(r.metrics['random@4'], 3 / 8);
  t.deepEqual(r.tables[0]!.rows.map((row) => [row.n, row.sets, row.comparisons]), [[1, 3, 0], [2, 3, 1], [4, 2, 3]]);
  t.is(r.counts.judgments, 2 * (3 * 1 + 2 * 3), 'both orders of every comparison');
  // Per-set outcomes reproduce the table: each set has an entry for every n it is large enough for.
  t.deepEqual(r.sets!.map((x) => Object.keys(x.byN)), [['1', '2', '4'], ['1', '2', '4'], ['1', '2']]);
  for (const n of ['1', '2', '4']) {
    const per = r.sets!.flatMap((x) => (x.byN[n] ? [x.byN[n]!] : []));
    t.true(close(per.filter((x) => x.pick).length / per.length, r.metrics[`pick@${n}`]!), n);
    t.true(close(per.reduce((s, x) => s + x.random, 0) / per.length, r.metrics[`random@${n}`]!), n);
  }
  t.true(judge.calls.length <= 3, `comparisons of side-by-side sets share judge calls: ${judge.calls}`);
  await t.throwsAsync(new BestOfNEvaluator(await rankerLookup()).evaluate([{ id: 'b', prompt: 'p', candidates: [{ text: 'x', correct: 'yes' }] }], judge, {}, ctx),
    { message: 'best-of-n evaluator: record "b" (index 0): field "candidates[0].correct" must be true or false, got "yes"' });
});

sliceAndWholeTests('best-of-n on the Qwen2.5-Math candidate sets: oracle@8 equals the sets with any correct candidate', async (t, root) => {
  const file = path.join(root, 'qwen25-math-rm-maj/math_cot_100.jsonl');
  const records = await read(new QwenMathCandidatesSource() as unknown as DataSource<{ path: string }, DataRecord>, { path: file });
  const sets = records as CandidateSet[];
  const longer = scriptedJudge((p) => ({ label: p.a.length > p.b.length ? 'A' : 'B' }));
  const r = await new BestOfNEvaluator(await rankerLookup()).evaluate(records, longer, { ns: [8], ranker: 'linear', position: 'none', batchSize: 512, concurrency: 100 }, ctx);
  t.true(close(r.metrics['oracle@8'], sets.filter((s) => s.candidates.some((c) => c.correct)).length / sets.length));
  const pickLongest = sets.filter((s) => {
    let best = 0;
    s.candidates.forEach((c, i) => { if (c.text.length > s.candidates[best]!.text.length) best = i; });
    return s.candidates[best]!.correct;
  }).length / sets.length;
  t.true(close(r.metrics['pick@8'], pickLongest), 'linear pass with a longer-wins judge picks the first longest');
  t.is(r.counts.judgments, sets.length * 7);
});
