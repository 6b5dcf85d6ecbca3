// ModelJudge on a real tiny model trained to judge a trivial task (tiny-judge.ts): labels, rationales, confidences
// from label logits, swap-averaged scores, stop strings, seeds, voting@k, batch-size invariance, and no-answer
// counting on an untrained model.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuBackend } from '../../backends/cpu/index.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import type { PairVerdict } from '../../core/reward/judgment.js';
import { ModelJudge } from '../../core/reward/model-judge.js';
import { PairJudge, type JudgeInput } from '../../core/reward/pair-judge.js';
import { plainChat, renderJudgePrompt } from '../../core/reward/prompts.js';
import { PairwiseEvaluator } from '../../plugins/evaluators/index.js';
import { BAD, GOOD, QUESTIONS, tinyJudgeDir, untrainedTinyJudge } from './tiny-judge.js';

let model: CausalLM;
let losses: number[];

test.before(async () => {
  const dir = await tinyJudgeDir();
  const backend = new CpuBackend();
  await backend.init();
  model = await CausalLM.load(dir, backend);
  losses = JSON.parse(readFileSync(join(dir, 'losses.json'), 'utf8')) as number[];
});

/** Every pair of the trivial task: 3 questions x 3 good x 3 bad x both placements; label = where the good one is. */
function allPairs(): Array<JudgeInput & { label: 'A' | 'B' }> {
  const out: Array<JudgeInput & { label: 'A' | 'B' }> = [];
  for (const q of QUESTIONS) for (const g of GOOD) for (const b of BAD) {
    out.push({ id: `${q}|${g}|${b}`, prompt: q, a: g, b, label: 'A' }, { id: `${q}|${b}|${g}`, prompt: q, a: b, b: g, label: 'B' });
  }
  return out;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const ctx = defaultTaskContext(0);

test('the tiny judge was trained: its masked loss fell from chance to near zero', (t) => {
  t.true(losses[0]! > 4, `first loss ${losses[0]}`);
  const tail = losses.slice(-10);
  t.true(tail.reduce((a, b) => a + b, 0) / tail.length < 0.1, `last losses ${tail.map((x) => x.toFixed(3)).join(' ')}`);
});

test('judges every pair of the trivial task: rationale, label, confidence = softmax of the label logits', async (t) => {
  const mj = new ModelJudge(model, { batchSize: 8 });
  t.is(mj.chatKind, 'plain');
  const pairs = allPairs();
  const verdicts = await new PairJudge(mj, { maxTokens: 16 }, mj.chat).judge(pairs, ctx);
  t.is(verdicts.length, 54);
  verdicts.forEach((v, i) => {
    const j = v.judgments[0]!;
    t.is(v.label, pairs[i]!.label, `${pairs[i]!.id}: ${j.raw}`);
    t.is(j.raw, `<think>${pairs[i]!.a}</think><answer>${pairs[i]!.label}</answer>`);
    t.is(j.rationale, pairs[i]!.a);
    t.true(v.confidence! > 0.9, `${pairs[i]!.id}: confidence ${v.confidence}`);
  });
  // Recompute three confidences from a full forward over the answer prefix (a different program than labelLogits).
  const tok = model.tokenizer!;
  for (const i of [0, 7, 31]) {
    const p = pairs[i]!, j = verdicts[i]!.judgments[0]!;
    const prompt = renderJudgePrompt('gram-r2', { userInput: p.prompt, first: p.a, second: p.b }, plainChat);
    const ids = tok.encode(prompt + j.raw.slice(0, j.raw.indexOf('</answer>') - 1));
    const [rows] = await model.forward([ids]);
    const last = rows![ids.length - 1]!;
    const pA = sigmoid(last[65]! - last[66]!); // byte tokens "A" and "B"
    t.true(Math.abs(j.shownProbs!.A - pA) < 1e-4, `${j.shownProbs!.A} vs ${pA}`);
    t.is(j.confidence, j.shownProbs![p.label]);
  }
  t.true(mj.stats.forwardCalls >= 7, JSON.stringify(mj.stats)); // 54 rows / 8
  // Continuous batching: all 54 rows in one generate call, rows joining as others end (the template is a few
  // special tokens here, shorter than a shared prefix worth keeping: test/model/continuous-batch.test.ts covers that).
  t.is(mj.batching, 'continuous');
  t.is(mj.stats.generateCalls, 1);
  const s = mj.batcher!.stats;
  t.true(s.liveSlotSteps > 0.9 * s.slotSteps, `slots live in ${s.liveSlotSteps} of ${s.slotSteps} slot-steps`);
});

test('both orders: labels map back, probA is the swap-averaged reward, rewards() agrees', async (t) => {
  const mj = new ModelJudge(model);
  const judge = new PairJudge(mj, { maxTokens: 16, position: 'both' }, mj.chat);
  const pairs = allPairs().filter((_, i) => i % 9 === 0);
  const verdicts = await judge.judge(pairs, ctx);
  verdicts.forEach((v, i) => {
    const orig = v.judgments.find((j) => j.order === 'original')!, swapped = v.judgments.find((j) => j.order === 'swapped')!;
    t.is(orig.label, pairs[i]!.label);
    t.is(swapped.label, pairs[i]!.label);
    t.is(swapped.shownLabel, pairs[i]!.label === 'A' ? 'B' : 'A');
    const r = 0.5 * (orig.shownProbs!.A + swapped.shownProbs!.B);
    t.true(Math.abs(v.probA! - r) < 1e-12);
    t.true(pairs[i]!.label === 'A' ? r > 0.9 : r < 0.1, `${pairs[i]!.id}: r(a) = ${r}`);
  });
  const rewards = await judge.rewards(pairs.map((p) => ({ prompt: p.prompt, response: p.a, reference: p.b })), ctx);
  rewards.forEach((r, i) => t.true(pairs[i]!.label === 'A' ? r! > 0.9 : r! < 0.1));
});

const strip = (vs: PairVerdict[]): string => JSON.stringify(vs);

test('batch size and batching never change results (greedy and sampled with per-request seeds)', async (t) => {
  const pairs = allPairs().slice(0, 8);
  for (const options of [{ maxTokens: 16, position: 'both' as const }, { maxTokens: 16, votes: 2, temperature: 1.5 }]) {
    const runs: string[] = [];
    for (const [batchSize, batching] of [[1, 'continuous'], [3, 'continuous'], [16, 'continuous'], [3, 'static']] as const) {
      const mj = new ModelJudge(model, { batchSize, batching });
      runs.push(strip(await new PairJudge(mj, options, mj.chat).judge(pairs, ctx)));
    }
    t.is(runs[1], runs[0]);
    t.is(runs[2], runs[0]);
    t.is(runs[3], runs[0], 'static batches give what continuous batching gives');
  }
});

test('generate: continuation only, the stop string kept, greedy de-duplicated, seeds per request', async (t) => {
  const mj = new ModelJudge(model, { batchSize: 4 });
  const prompt = renderJudgePrompt('gram-r2', { userInput: 'choose', first: 'bad', second: 'fine' }, plainChat);
  const greedy = { temperature: 0, maxTokens: 16 };
  t.deepEqual(await mj.generate([{ prompt, seed: 0 }], { ...greedy, stop: ['</think>'] }), ['<think>bad</think>']);
  t.deepEqual(await mj.generate([{ prompt, seed: 0 }], { ...greedy, stop: ['</answer>', '<answer>'] }), ['<think>bad</think><answer>']);
  // No stop string hit: the text runs to EOS (not included).
  t.deepEqual(await mj.generate([{ prompt, seed: 0 }], { ...greedy, stop: ['zzz'] }), ['<think>bad</think><answer>B</answer>']);
  const before = mj.stats.generatedRows;
  const two = await mj.generate([{ prompt, seed: 1 }, { prompt, seed: 2 }], { ...greedy, stop: ['</answer>'] });
  t.deepEqual(two, ['<think>bad</think><answer>B</answer>', '<think>bad</think><answer>B</answer>']);
  t.is(mj.stats.generatedRows - before, 1, 'identical greedy prompts are generated once');
  const sampled = { temperature: 3, maxTokens: 12, stop: [] };
  const [a, b, c] = await mj.generate([{ prompt, seed: 5 }, { prompt, seed: 5 }, { prompt, seed: 6 }], sampled);
  t.is(a, b);
  t.not(a, c);
  t.deepEqual(await mj.generate([{ prompt, seed: 6 }], sampled), [c!]);
});

test('voting@k: samples differ by seed, a run reproduces exactly, the majority wins', async (t) => {
  const mj = new ModelJudge(model, { batchSize: 8 });
  const pairs = allPairs().slice(0, 4);
  const judge = new PairJudge(mj, { maxTokens: 16, votes: 5, temperature: 2.5 }, mj.chat);
  const v1 = await judge.judge(pairs, defaultTaskContext(7));
  t.is(strip(await judge.judge(pairs, defaultTaskContext(7))), strip(v1));
  const v2 = await judge.judge(pairs, defaultTaskContext(8));
  t.not(strip(v2), strip(v1));
  let varied = 0;
  v1.forEach((v, i) => {
    t.is(v.judgments.length, 5);
    t.is(new Set(v.judgments.map((j) => j.seed)).size, 5);
    if (new Set(v.judgments.map((j) => j.raw)).size > 1) varied++;
    const counts = { A: 0, B: 0 };
    for (const j of v.judgments) if (j.label) counts[j.label]++;
    if (counts.A !== counts.B) t.is(v.label, counts.A > counts.B ? 'A' : 'B', `${pairs[i]!.id}: ${JSON.stringify(counts)}`);
    else if (counts.A > 0) t.true(v.voteTie);
    else t.is(v.label, undefined);
  });
  t.true(varied > 0, 'temperature 2.5 gives different samples');
});

test('an untrained model: no answers are counted as no answer (never as B)', async (t) => {
  const { model: raw } = await untrainedTinyJudge();
  const mj = new ModelJudge(raw, { batchSize: 8 });
  const judge = new PairJudge(mj, { maxTokens: 12 }, mj.chat);
  const pairs = allPairs().slice(0, 8);
  const verdicts = await judge.judge(pairs, ctx);
  for (const v of verdicts) {
    t.is(v.label, undefined);
    t.is(v.noAnswer, 'no-answer-tag');
    t.false(/<answer>\s*[AB]\s*<\/answer>/i.test(v.judgments[0]!.raw));
  }
  const report = await new PairwiseEvaluator().evaluate(pairs, judge.asJudge(), { position: 'both', batchSize: 4 }, ctx);
  t.is(report.metrics.noAnswerRate, 1);
  t.is(report.metrics.accuracy, 0);
  t.is(report.counts.noAnswer, 16);
  raw.dispose();
});

test('gram-v1: the label is read from the label logits right after the prompt', async (t) => {
  const mj = new ModelJudge(model);
  const pairs = allPairs().slice(0, 3);
  const verdicts = await new PairJudge(mj, { format: 'gram-v1' }, mj.chat).judge(pairs, ctx);
  const tok = model.tokenizer!;
  for (const [i, v] of verdicts.entries()) {
    const p = pairs[i]!;
    const ids = tok.encode(renderJudgePrompt('gram-v1', { userInput: p.prompt, first: p.a, second: p.b }, plainChat));
    const [rows] = await model.forward([ids]);
    const pA = sigmoid(rows![ids.length - 1]![65]! - rows![ids.length - 1]![66]!);
    const j = v.judgments[0]!;
    t.true(Math.abs(j.shownProbs!.A - pA) < 1e-4);
    t.is(v.label, pA > 0.5 ? 'A' : 'B');
    t.is(j.raw, '');
  }
});

test('context length, token counts, and label texts that are not one token', async (t) => {
  const mj = new ModelJudge(model);
  t.is(mj.contextLength, 128);
  t.is(mj.countTokens('<|user|>\nhello'), 1 + 1 + 5);
  await t.throwsAsync(mj.labelLogits(['<answer>'], { A: 'AB', B: 'B' }), { message: /prefix 0: the labels "AB" \/ "B" are not one token each after it.*\[65 "A", 66 "B"\] \/ \[66 "B"\]/ });
  await t.throwsAsync(new PairJudge(mj, { maxTokens: 200 }, mj.chat).judge(allPairs().slice(0, 1), ctx), { message: /maxTokens 200 leaves no room/ });
  t.throws(() => new ModelJudge(model, { batchSize: 0 }), { message: /batchSize must be a positive integer/ });
});
