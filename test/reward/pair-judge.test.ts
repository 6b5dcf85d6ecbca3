// PairJudge end to end on a scripted model: batching (one generate + one logits call), seeds, label mapping
// for swapped orders, the swap-averaged probability (hand-computed), voting@k with its tie rule, GRAM v1
// scoring, truncation / refusal at the context limit, no-answers, and the compare / reward / Judge adapters.
import test from 'ava';
import { ConfigError } from '../../core/errors.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { PairJudge } from '../../core/reward/pair-judge.js';
import { plainChat, renderJudgePrompt } from '../../core/reward/prompts.js';
import { deriveSeed } from '../../core/reward/seeds.js';
import { quality, r2Output, ScriptedModel, shownResponses } from './scripted-model.js';

const close = (a: number | undefined, b: number, tol = 1e-12): boolean => a !== undefined && Math.abs(a - b) <= tol;
const SIG3 = 0.9525741268224334; // 1 / (1 + e^-3)
const SIG1 = 0.7310585786300049; // 1 / (1 + e^-1)
const ctx = defaultTaskContext(11);

/** Prefers the higher-quality shown response; logits favour the first position by +1. */
function biasedModel(contextLength?: number): ScriptedModel {
  return new ScriptedModel({
    ...(contextLength !== undefined ? { contextLength } : {}),
    generate: (prompt) => {
      const { first, second } = shownResponses(prompt);
      return r2Output(quality(first) >= quality(second) ? 'A' : 'B');
    },
    logits: (prefix) => {
      const { first, second } = shownResponses(prefix);
      return { A: quality(first) + 1, B: quality(second) };
    },
  });
}

const pair = { id: 'p1', prompt: 'Which is better?', a: 'q=2 good', b: 'q=0 bad' };

test('both orders: one batched generate and logits call; labels mapped back; r(a) swap-averaged', async (t) => {
  const model = biasedModel();
  const judge = new PairJudge(model, { position: 'both' }, plainChat);
  const [v] = await judge.judge([pair], ctx);
  t.is(model.generateCalls.length, 1);
  t.is(model.generateCalls[0]!.requests.length, 2);
  t.deepEqual(model.generateCalls[0]!.options, { temperature: 0, maxTokens: 2048, stop: ['</answer>'] });
  t.is(model.logitCalls.length, 1);
  t.is(model.logitCalls[0]!.prefixes.length, 2);
  const [orig, swap] = v!.judgments;
  t.is(orig!.order, 'original'); t.is(orig!.shownLabel, 'A'); t.is(orig!.label, 'A');
  t.is(swap!.order, 'swapped'); t.is(swap!.shownLabel, 'B'); t.is(swap!.label, 'A', 'swapped "B" is pair.a');
  t.true(close(orig!.confidence, SIG3));
  t.true(close(swap!.confidence, SIG1));
  t.true(close(v!.probA, 0.5 * (SIG3 + SIG1)), `r(a) = ½[P(A|a first) + P(B|a second)] = ${v!.probA}`);
  t.is(v!.label, 'A'); t.true(close(v!.confidence, 0.5 * (SIG3 + SIG1))); t.false(v!.ordersDisagree);
  t.is(orig!.seed, deriveSeed(11, 'judge', 'p1', 'original', 0));
  t.is(orig!.rationale, 'Feedback:\nthe first is more precise\n\nComparision:\nsee above\n\nConclusion:\nA');
  const prompt = renderJudgePrompt('gram-r2', { userInput: pair.prompt, first: pair.a, second: pair.b }, plainChat);
  t.is(model.generateCalls[0]!.requests[0]!.prompt, prompt);
  t.is(model.logitCalls[0]!.prefixes[0], `${prompt}${orig!.raw.slice(0, orig!.raw.lastIndexOf('A\n</answer>'))}`);
  t.true(model.logitCalls[0]!.prefixes[0]!.endsWith('</think>\n<answer>\n'));
});

test('seeds depend on pair id, order and sample only: batching does not change results', async (t) => {
  const other = { id: 'p2', prompt: 'x', a: 'q=1', b: 'q=3' };
  const judge = new PairJudge(biasedModel(), { position: 'random' });
  const both = await judge.judge([pair, other], ctx);
  const alone = await judge.judge([other], ctx);
  t.deepEqual(alone[0], both[1]);
  t.is(both[1]!.label, 'B');
});

test('voting@3: majority A over samples A, B, A; confidence = mean P(A)', async (t) => {
  let n = 0;
  const model = new ScriptedModel({ generate: () => r2Output(n++ % 2 === 0 ? 'A' : 'B'), logits: () => ({ A: Math.log(3), B: 0 }) });
  const [v] = await new PairJudge(model, { votes: 3, temperature: 0.8 }).judge([pair], ctx);
  t.deepEqual(v!.judgments.map((j) => j.label), ['A', 'B', 'A']);
  t.deepEqual(v!.judgments.map((j) => j.sample), [0, 1, 2]);
  t.is(new Set(v!.judgments.map((j) => j.seed)).size, 3);
  t.is(v!.label, 'A'); t.true(close(v!.confidence, 0.75)); t.false(v!.voteTie);
  t.is(model.generateCalls[0]!.options.temperature, 0.8);
});

test('voting@2 tie: the side with higher mean confidence wins and the tie is reported', async (t) => {
  let n = 0;
  const model = new ScriptedModel({
    generate: () => (n++ === 0 ? r2Output('A', 'conf=A') : r2Output('B', 'conf=B')),
    logits: (prefix) => (prefix.includes('conf=A') ? { A: Math.log(3), B: 0 } : { A: -Math.log(9), B: 0 }),
  });
  const [v] = await new PairJudge(model, { votes: 2, temperature: 1 }).judge([pair], ctx);
  t.true(v!.voteTie);
  t.is(v!.label, 'B', 'A voters 0.75 < B voters 0.9');
  t.true(close(v!.probA, (0.75 + 0.1) / 2)); t.true(close(v!.confidence, 0.575));
});

test('no answer from the model is counted with its reason and never becomes B; no logits asked for it', async (t) => {
  const outputs = ['I prefer B.', '<answer>maybe</answer>', r2Output('B')];
  let n = 0;
  const model = new ScriptedModel({ generate: () => outputs[n++]!, logits: () => ({ A: 0, B: 1 }) });
  const vs = await new PairJudge(model).judge([pair, { ...pair, id: 'p2' }, { ...pair, id: 'p3' }], ctx);
  t.deepEqual(vs.map((v) => v.label), [undefined, undefined, 'B']);
  t.deepEqual(vs.map((v) => v.noAnswer), ['no-answer-tag', 'not-a-label', undefined]);
  t.is(model.logitCalls[0]!.prefixes.length, 1);
  t.is(vs[0]!.probA, undefined);
});

test('gram-v1: label logits at the end of the prompt ("#Preferred: "), no generation; tied logits = no answer', async (t) => {
  const model = new ScriptedModel({ logits: (prefix) => {
    const { first, second } = shownResponses(prefix);
    return { A: quality(first), B: quality(second) };
  } });
  const judge = new PairJudge(model, { format: 'gram-v1', position: 'both', labelTokens: { A: ' A', B: ' B' } });
  const [v, tied] = await judge.judge([pair, { id: 't', prompt: 'p', a: 'q=1', b: 'q=1' }], ctx);
  t.is(model.generateCalls.length, 0);
  t.true(model.logitCalls[0]!.prefixes.every((p) => p.endsWith('#Preferred: ')));
  t.deepEqual(model.logitCalls[0]!.tokens, { A: ' A', B: ' B' });
  t.is(v!.label, 'A'); t.true(close(v!.probA, 0.8807970779778823)); t.is(v!.judgments[0]!.raw, '');
  t.is(tied!.label, undefined); t.is(tied!.noAnswer, 'tied-logits');
  t.throws(() => new PairJudge(model, { format: 'gram-v1', votes: 3, temperature: 1 }), { instanceOf: ConfigError, message: /votes > 1 needs format gram-r2/ });
  t.throws(() => new PairJudge(model, { votes: 3 }), { message: /temperature > 0/ });
});

test('context limit: responses cut to fit (prompt + maxTokens within the context); refuse gives prompt-too-long', async (t) => {
  const long = { id: 'long', prompt: 'Q', a: `q=2 ${'a'.repeat(3000)}`, b: `q=1 ${'b'.repeat(3000)}` };
  const bare = renderJudgePrompt('gram-r2', { userInput: 'Q', first: '', second: '' }, (m) => m).length;
  const contextLength = bare + 100 + 1000;
  const model = biasedModel(contextLength);
  const [v] = await new PairJudge(model, { maxTokens: 100 }).judge([long, pair], ctx);
  const sent = model.generateCalls[0]!.requests[0]!.prompt;
  t.true(sent.length <= contextLength - 100, `${sent.length} tokens`);
  t.true(sent.length > contextLength - 100 - 10, 'uses the room it has');
  t.true(v!.judgments[0]!.truncated); t.is(v!.label, 'A');
  const refusing = biasedModel(contextLength);
  const [r, ok] = await new PairJudge(refusing, { maxTokens: 100, overflow: 'refuse' }).judge([long, pair], ctx);
  t.is(r!.noAnswer, 'prompt-too-long'); t.is(r!.judgments[0]!.raw, '');
  t.is(refusing.generateCalls[0]!.requests.length, 1, 'the refused prompt is not generated'); t.is(ok!.label, 'A');
  const tiny = biasedModel(bare + 100 - 5);
  const [q] = await new PairJudge(tiny, { maxTokens: 100 }).judge([long], ctx);
  t.is(q!.noAnswer, 'prompt-too-long', 'even empty responses do not fit: refused, no crash');
  await t.throwsAsync(new PairJudge(biasedModel(50), { maxTokens: 100 }).judge([pair], ctx),
    { instanceOf: ConfigError, message: /maxTokens 100 leaves no room for a prompt in the model's context of 50 tokens/ });
});

test('empty responses are judged as they are; a non-string field is an error naming the pair and field', async (t) => {
  const model = biasedModel();
  const [v] = await new PairJudge(model).judge([{ id: 'e', prompt: '', a: '', b: 'q=1' }], ctx);
  t.is(v!.label, 'B');
  t.true(model.generateCalls[0]!.requests[0]!.prompt.includes("[The Start of Assistant A's Response]\n\n[The End"));
  await t.throwsAsync(new PairJudge(model).judge([{ id: 'bad', prompt: 'x', a: 5 as unknown as string, b: '' }], ctx),
    { message: 'PairJudge: pair "bad" field "a" must be a string (empty is allowed), got number' });
});

test('adapters: compare gives P(a better), rewards are swap-averaged against a reference, asJudge judges as given', async (t) => {
  const judge = new PairJudge(biasedModel());
  const ps = await judge.compare('Q', [{ a: 'q=2', b: 'q=0' }, { a: 'q=0', b: 'q=2' }], ctx);
  t.true(close(ps[0], SIG3)); t.true(close(ps[1], 1 / (1 + Math.exp(1))));
  const [r] = await judge.rewards([{ prompt: 'Q', response: 'q=2', reference: 'q=0' }], ctx);
  t.true(close(r, 0.5 * (SIG3 + SIG1)));
  const outcomes = await judge.asJudge()([{ prompt: 'Q', a: 'q=0', b: 'q=2' }], ctx);
  t.deepEqual(Object.keys(outcomes[0]!).sort(), ['confidence', 'evidence', 'label', 'voteTie']);
  t.is(outcomes[0]!.label, 'B'); t.true(close(outcomes[0]!.confidence, 1 - 1 / (1 + Math.exp(1))));
  // The evidence: the one model call, with the prompt it was given and what it generated.
  const [e] = outcomes[0]!.evidence!;
  t.is(outcomes[0]!.evidence!.length, 1);
  t.true(e!.prompt.includes('q=0') && e!.prompt.includes('q=2'));
  t.is(e!.label, 'B');
  t.true(close(e!.probs!.B, outcomes[0]!.confidence!));
});

test('an aborted context stops before any model call', async (t) => {
  const model = biasedModel();
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  await t.throwsAsync(new PairJudge(model).judge([pair], { ...ctx, signal: ac.signal }), { message: 'stop' });
  t.is(model.generateCalls.length, 0);
});
