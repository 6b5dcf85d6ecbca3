// Pseudo-labeling with a scripted GRM: majority vote over n runs (ties broken by confidence), the threshold on the
// label probability (winners' mean or all runs' mean) or on the agreement of all runs, drop reasons, batching independence, and resuming from the
// keyed log (only missing pairs are judged again). Numbers are computed by hand from the script.
import test from 'ava';
import * as path from 'node:path';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { KeyedLog } from '../../plugins/self-training/keyed-log.js';
import { pseudoLabel, type LabelLine } from '../../plugins/self-training/pseudo-label.js';
import { hideLabels } from '../../plugins/self-training/gram-r2-round.js';
import { tempDir, vmathPairs } from './fixture-models.js';
import { scriptedJudge, type ScriptedVote } from './scripted-grm.js';

const pairs = vmathPairs('unlabeled-1', 6).map(hideLabels);
// Pair i's three runs.
const SCRIPT: ScriptedVote[][] = [
  [['A', 0.9], ['A', 0.8], ['B', 0.9]], // A 2:1; winners' P(A) 0.85; all runs' P(A) (0.9 + 0.8 + 0.1) / 3 = 0.6
  [['B', 0.95], ['B', 0.95], ['B', 0.95]], // B, 0.95
  [['A', 0.6], ['A', 0.65], ['A', 0.5]], // A, 0.5833: below 0.7
  [undefined, undefined, ['A', 0.99]], // one vote: A, 0.99
  [undefined, undefined, undefined], // no answer
  [['A', 0.8], ['B', 0.9], undefined], // 1:1 tie -> B (its voters were more confident); winners 0.9; all P(B) = (0.2 + 0.9) / 2 = 0.55
];
const script = (i: number, s: number): ScriptedVote => SCRIPT[i]![s];

test('majority vote and threshold on the winners\' mean probability, with drop reasons', async (t) => {
  const { judge, model } = scriptedJudge(pairs, 3, script);
  const log = await KeyedLog.open<LabelLine>(path.join(tempDir(t), 'labels.jsonl'));
  const out = await pseudoLabel(judge, pairs, { threshold: 0.7, confidence: 'winners', batchSize: 2 }, log, defaultTaskContext());
  await log.commit();
  t.deepEqual(out.map((l) => l.id), pairs.map((p) => p.id));
  t.deepEqual(out.map((l) => l.label), ['A', 'B', 'A', 'A', undefined, 'B']);
  t.deepEqual(out.map((l) => l.confident), [true, true, false, true, false, true]);
  t.deepEqual(out.map((l) => l.dropped), [undefined, undefined, 'below-threshold', undefined, 'no-answer:no-answer-tag', undefined]);
  const conf = out.map((l) => l.confidence);
  for (const [i, want] of [[0, 0.85], [1, 0.95], [2, (0.6 + 0.65 + 0.5) / 3], [3, 0.99], [5, 0.9]] as const) t.true(Math.abs(conf[i]! - want) < 1e-9, `pair ${i}: ${conf[i]} vs ${want}`);
  t.is(conf[4], undefined);
  t.deepEqual(out.map((l) => l.votes), [{ A: 2, B: 1, none: 0 }, { A: 0, B: 3, none: 0 }, { A: 3, B: 0, none: 0 }, { A: 1, B: 0, none: 2 }, { A: 0, B: 0, none: 3 }, { A: 1, B: 1, none: 1 }]);
  t.deepEqual(out.map((l) => l.voteTie), [false, false, false, false, false, true]);
  // Three judge calls of two pairs, each one generate call of 2 × 3 sampled runs.
  t.deepEqual(model.generateCalls.map((c) => c.requests.length), [6, 6, 6]);
  t.true(model.generateCalls.every((c) => c.options.temperature === 0.8));
});

test('threshold on all runs\' mean probability drops the split votes; batching does not change any result', async (t) => {
  const { judge } = scriptedJudge(pairs, 3, script);
  const dir = tempDir(t);
  const [logA, logB] = [await KeyedLog.open<LabelLine>(path.join(dir, 'a.jsonl')), await KeyedLog.open<LabelLine>(path.join(dir, 'b.jsonl'))];
  t.teardown(async () => { await logA.abandon(); await logB.abandon(); });
  const one = await pseudoLabel(judge, pairs, { threshold: 0.7, confidence: 'all', batchSize: 6 }, logA, defaultTaskContext());
  t.deepEqual(one.map((l) => l.dropped), ['below-threshold', undefined, 'below-threshold', undefined, 'no-answer:no-answer-tag', 'below-threshold']);
  t.true(Math.abs(one[0]!.confidence! - 0.6) < 1e-9 && Math.abs(one[5]!.confidence! - 0.55) < 1e-9);
  const three = await pseudoLabel(judge, pairs, { threshold: 0.7, confidence: 'all', batchSize: 4 }, logB, defaultTaskContext());
  t.deepEqual(three, one);
});

test('agreement: the share of all runs that voted for the label; a 2-1 split is below 0.9 however sure its winners were', async (t) => {
  const { judge } = scriptedJudge(pairs, 3, script);
  const log = await KeyedLog.open<LabelLine>(path.join(tempDir(t), 'agree.jsonl'));
  t.teardown(async () => { await log.abandon(); });
  const out = await pseudoLabel(judge, pairs, { threshold: 0.9, confidence: 'agreement', batchSize: 3 }, log, defaultTaskContext());
  // Pair 0: A 2:1 (winners' P(A) 0.85, which passes a winners' 0.7): 2/3. Pair 1: 3/3. Pair 2: 3/3 (though P(A) is
  // only 0.58). Pair 3: one answered run of three: 1/3. Pair 4: no answer. Pair 5: the 1:1 tie broken to B: 1/3.
  const want = [2 / 3, 1, 1, 1 / 3, undefined, 1 / 3];
  out.forEach((l, i) => t.true(want[i] === undefined ? l.confidence === undefined : Math.abs(l.confidence! - want[i]!) < 1e-9, `pair ${i}: ${l.confidence}`));
  t.deepEqual(out.map((l) => l.dropped), ['below-threshold', undefined, undefined, 'below-threshold', 'no-answer:no-answer-tag', 'below-threshold']);
});

test('a rerun judges only the pairs missing from the log and returns the same lines', async (t) => {
  const file = path.join(tempDir(t), 'labels.jsonl');
  const first = scriptedJudge(pairs, 3, script);
  const log = await KeyedLog.open<LabelLine>(file);
  const full = await pseudoLabel(first.judge, pairs.slice(0, 2), { threshold: 0.7, confidence: 'winners', batchSize: 2 }, log, defaultTaskContext());
  await log.abandon(); // as if killed after the first batch
  const second = scriptedJudge(pairs, 3, script);
  const reopened = await KeyedLog.open<LabelLine>(file);
  t.teardown(() => reopened.abandon());
  t.is(reopened.size, 2);
  const out = await pseudoLabel(second.judge, pairs, { threshold: 0.7, confidence: 'winners', batchSize: 2 }, reopened, defaultTaskContext());
  t.deepEqual(out.slice(0, 2), full);
  t.is(second.model.generateCalls.flatMap((c) => c.requests).length, 4 * 3, 'only the 4 missing pairs were judged');
  t.deepEqual(out.map((l) => l.label), ['A', 'B', 'A', 'A', undefined, 'B']);
});

test('hideLabels removes the label and meta.goldLabel and keeps the rest', (t) => {
  const [p] = vmathPairs('unlabeled-1', 1);
  t.is((p!.meta as Record<string, unknown>).goldLabel !== undefined, true);
  const h = hideLabels({ ...p!, label: 'A' });
  t.is(h.label, undefined);
  t.is(h.meta!.goldLabel, undefined);
  t.is(h.meta!.plan, p!.meta!.plan);
  t.is(h.prompt, p!.prompt);
});
