// The reward server over loopback with a tiny Bradley–Terry model trained by the real train-grm stage: 200
// concurrent /get_reward requests each get their own rewards (checked against the model called directly), pairwise
// rewards against references are swap-averaged judgments, /v1/judge, bad input gets clear 4xx JSON and the server
// keeps serving, auth, timeouts (504), graceful shutdown (in-flight finish, new ones refused) and `gramr serve`; and
// under load or abuse: /healthz answers during a CPU-bound batch whose timeout drops its unsent work, a bad item fails
// only its own request (400 with its own index), slow bodies neither hold shutdown nor count before auth, the
// connection cap, and generations (votes × orders) counted against a per-request cap.
import test from 'ava';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { swapAveragedReward } from '../../core/reward/scores.js';
import { checkBinding, openRewardModel, RewardServer, type RewardModel, type RewardServerOptions } from '../../plugins/server/index.js';
import { cpuBackend, vmath } from '../recipe/helpers.js';
import { pipelineText, runIn } from '../recipe/pipeline-helpers.js';
import { ModelJudgeOpener } from '../../core/reward/judge-opener.js';

const oneStep = { difficulty: { maxSteps: 1 }, errorTypes: ['slipped-digit', 'wrong-operation', 'carry-error'] };
let dir = '';
let modelPath = '';
let model: RewardModel;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gramr-serve-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const stages = `  - stage: train-grm
    id: train-bt
    from: train
    to: grm-bt
    objective: bradley-terry
    init: { scratch: { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 256 } }
    trainer: { steps: 6, lr: 0.01, batchSize: 8, maxLength: 256, buckets: 1, warmup: 0, evalEvery: 0, checkpointEvery: 1000 }
`;
  const run = await runIn(dir, pipelineText(dir, 'serve', { train: { kind: 'inline', records: vmath({ split: 'labeled', count: 16, ...oneStep } as never) } }, stages));
  modelPath = join(run.runDir, 'train-bt', 'grm-bt');
  model = await openRewardModel(new ModelJudgeOpener(), modelPath, await cpuBackend(), { batchSize: 8 });
});
test.after.always(() => model?.dispose());

async function serve(t: { teardown(f: () => Promise<void>): void }, m: RewardModel, o: RewardServerOptions = {}): Promise<{ url: string; server: RewardServer }> {
  const server = new RewardServer(m, { port: 0, ...o });
  const { url } = await server.listen();
  t.teardown(() => server.close());
  return { url, server };
}
const post = async (url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
};
const close = (t: { true(v: boolean, m?: string): void }, x: number, y: number): void => t.true(Math.abs(x - y) < 1e-4, `${x} vs ${y}`);

test('200 concurrent /get_reward requests each get their own rewards, equal to the model scored directly, in shared batches', async (t) => {
  const { url, server } = await serve(t, model, { batch: 16 });
  const reqs = Array.from({ length: 200 }, (_, i) => ({ prompts: [`What is ${i} + ${i % 7}?`, `What is ${i} * 2?`], responses: [`${i + (i % 7)}`, `${2 * i + (i % 3)}`] }));
  const replies = await Promise.all(reqs.map((r) => post(`${url}/get_reward`, r)));
  const direct = await model.score!(reqs.flatMap((r) => r.prompts.map((prompt, k) => ({ prompt, response: r.responses[k]! }))));
  t.true(new Set(direct.map((x) => x.toFixed(5))).size > 150, 'inputs are distinguishable by their rewards');
  replies.forEach((r, i) => {
    t.is(r.status, 200);
    t.is(r.json.rewards.length, 2);
    close(t, r.json.rewards[0], direct[2 * i]!);
    close(t, r.json.rewards[1], direct[2 * i + 1]!);
  });
  t.is(server.metrics.count('/get_reward', 200), 200);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const calls = Number(/^gramr_batch_size_count (\d+)$/m.exec(metrics)![1]);
  t.log(`400 responses scored in ${calls} backend calls`);
  t.true(calls < 200 && calls >= 25, `micro-batching merged requests (${calls} calls for 400 items, at most 16 each)`);
  t.regex(metrics, /gramr_requests_total\{route="\/get_reward",status="200"\} 200/);
  t.regex(metrics, /gramr_request_duration_seconds_bucket\{route="\/get_reward",le="\+Inf"\} 200/);
  t.regex(metrics, /gramr_requests_in_flight 1/); // the /metrics request itself
});

test('queries are split by prompts or by the separator; references give swap-averaged P(response preferred)', async (t) => {
  const { url } = await serve(t, model);
  const [p, r, ref] = ['What is 3 + 4?', '7', '8'];
  const [s] = await model.score!([{ prompt: p, response: r }]);
  const a = await post(`${url}/get_reward`, { query: [p + r], prompts: [p] });
  const b = await post(`${url}/get_reward`, { query: [`${p}\n<|assistant|>\n${r}`] });
  t.is(a.status, 200);
  close(t, a.json.rewards[0], s!);
  close(t, b.json.rewards[0], s!);
  const c = await post(`${url}/get_reward`, { query: [p + r], prompts: [p], labels: [ref] });
  const [first, second] = await model.judgePairs([{ prompt: p, a: r, b: ref, votes: 1 }, { prompt: p, a: ref, b: r, votes: 1 }]);
  close(t, c.json.rewards[0], swapAveragedReward(first!.probA!, 1 - second!.probA!));
  const [sr, sref] = await model.score!([{ prompt: p, response: r }, { prompt: p, response: ref }]);
  close(t, c.json.rewards[0], 1 / (1 + Math.exp(-(sr! - sref!)))); // Bradley–Terry: σ(r − r_ref) in both orders
  t.deepEqual(c.json.no_answer, []);
});

test('/v1/judge gives label, confidence and P(a); swap averages both orders', async (t) => {
  const { url } = await serve(t, model);
  const pair = { prompt: 'What is 2 + 2?', a: '4', b: '5' };
  const [d] = await model.judgePairs([{ ...pair, votes: 1 }]);
  const one = await post(`${url}/v1/judge`, pair);
  t.is(one.status, 200);
  t.is(one.json.label, d!.label!);
  close(t, one.json.confidence, d!.confidence!);
  const both = await post(`${url}/v1/judge`, { ...pair, swap: true });
  t.is(both.json.orders.length, 2);
  close(t, both.json.probA, (both.json.orders[0].probA + both.json.orders[1].probA) / 2);
  t.is(both.json.label, both.json.probA > 0.5 ? 'A' : 'B');
  const votes = await post(`${url}/v1/judge`, { ...pair, votes: 3 });
  t.is(votes.status, 400);
  t.regex(votes.json.error, /votes = 3 needs a generative reward model/);
});

test('bad input gets a 4xx with a clear JSON error and the server keeps serving', async (t) => {
  const { url } = await serve(t, model, { maxBodyBytes: 2000, maxItems: 4 });
  const cases: Array<[unknown, number, RegExp]> = [
    ['{"query": [', 400, /not valid JSON/],
    [[1, 2], 400, /must be a JSON object/],
    [{ query: 'abc' }, 400, /field "query" must be an array of strings, got string/],
    [{ prompts: ['x'], responses: [3] }, 400, /field "responses"\[0\] must be a string, got number/],
    [{ prompts: ['x', 'y'], responses: ['a'] }, 400, /"prompts" has 2 items but there are 1 responses/],
    [{ query: ['no separator here'] }, 400, /query\[0\] does not contain the separator/],
    [{ query: ['ab'], prompts: ['x'] }, 400, /query\[0\] does not start with prompts\[0\]/],
    [{ responses: ['a'] }, 400, /"prompts" is required/],
    [{ prompt: 'x' }, 400, /unknown field\(s\) "prompt"/],
    [{ prompts: Array(5).fill('p'), responses: Array(5).fill('r') }, 413, /at most 4 per request/],
    [{ prompts: ['p'], responses: ['x'.repeat(5000)] }, 413, /at most 2000 \(--max-body\)/],
  ];
  for (const [body, status, message] of cases) {
    const r = await post(`${url}/get_reward`, body);
    t.is(r.status, status, JSON.stringify(body).slice(0, 80));
    t.regex(r.json.error, message);
  }
  const j = await post(`${url}/v1/judge`, { prompt: 'x', a: 1, b: 'y' });
  t.is(j.status, 400);
  t.regex(j.json.error, /field "a" must be a string/);
  t.is((await fetch(`${url}/nope`)).status, 404);
  t.is((await fetch(`${url}/get_reward`)).status, 405);
  const ok = await post(`${url}/get_reward`, { prompts: ['What is 1 + 1?'], responses: ['2'] });
  t.is(ok.status, 200);
  const [direct] = await model.score!([{ prompt: 'What is 1 + 1?', response: '2' }]);
  close(t, ok.json.rewards[0], direct!);
});

test('a pairwise-only model needs references: 400 explaining why', async (t) => {
  const pairwiseOnly: RewardModel = { objective: 'gram-v1', canVote: false, judgePairs: (i) => model.judgePairs(i), dispose: () => {} };
  const { url } = await serve(t, pairwiseOnly);
  const r = await post(`${url}/get_reward`, { prompts: ['q'], responses: ['r'] });
  t.is(r.status, 400);
  t.regex(r.json.error, /gram-v1 model: it compares two responses .* send "references"/);
  const ok = await post(`${url}/get_reward`, { prompts: ['q'], responses: ['r'], references: ['s'] });
  t.is(ok.status, 200);
});

test('a bearer token is required when set, and for any non-loopback address', async (t) => {
  t.throws(() => checkBinding('0.0.0.0', undefined), { instanceOf: ConfigError, message: /give a bearer token/ });
  t.notThrows(() => checkBinding('0.0.0.0', 'secret'));
  t.throws(() => new RewardServer(model, { host: '0.0.0.0' }), { instanceOf: ConfigError });
  const { url } = await serve(t, model, { token: 'secret' });
  const body = { prompts: ['q'], responses: ['r'] };
  const missing = await post(`${url}/get_reward`, body);
  t.is(missing.status, 401);
  t.regex(missing.json.error, /missing "Authorization: Bearer <token>"/);
  const wrong = await post(`${url}/get_reward`, body, { authorization: 'Bearer nope' });
  t.is(wrong.status, 401);
  t.regex(wrong.json.error, /token is wrong/);
  t.is((await fetch(`${url}/metrics`)).status, 401);
  t.is((await fetch(`${url}/healthz`)).status, 200);
  t.is((await post(`${url}/get_reward`, body, { authorization: 'Bearer secret' })).status, 200);
});

const slow = (ms: number): RewardModel => ({
  objective: model.objective, canVote: false, dispose: () => {},
  judgePairs: async (i) => { await new Promise((r) => setTimeout(r, ms)); return model.judgePairs(i); },
  score: async (i) => { await new Promise((r) => setTimeout(r, ms)); return model.score!(i); },
});

test('a request over the time limit gets 504 and the server keeps serving', async (t) => {
  const { url } = await serve(t, slow(300), { timeoutMs: 100 });
  const r = await post(`${url}/get_reward`, { prompts: ['q'], responses: ['r'] });
  t.is(r.status, 504);
  t.regex(r.json.error, /longer than 100 ms/);
  const { url: url2 } = await serve(t, slow(20), { timeoutMs: 2000 });
  t.is((await post(`${url2}/get_reward`, { prompts: ['q'], responses: ['r'] })).status, 200);
});

test('shutdown finishes requests in flight and refuses new ones', async (t) => {
  const server = new RewardServer(slow(300), { port: 0 });
  const { url } = await server.listen();
  const inFlight = post(`${url}/get_reward`, { prompts: ['q'], responses: ['r'] });
  while (server.metrics.inFlight === 0) await new Promise((r) => setTimeout(r, 5)); // the request has reached the server
  const closing = server.close();
  const late = await fetch(`${url}/healthz`).then((r) => r.status, () => 'refused');
  t.true(late === 503 || late === 'refused', `late request: ${late}`);
  t.is((await inFlight).status, 200);
  await closing;
});

test('gramr serve starts on a free port, answers, and exits 0 on SIGTERM', async (t) => {
  const { url, stop } = await startServe([]);
  const r = await post(`${url}/get_reward`, { prompts: ['What is 1 + 1?'], responses: ['2'] });
  t.is(r.status, 200);
  const [direct] = await model.score!([{ prompt: 'What is 1 + 1?', response: '2' }]);
  close(t, r.json.rewards[0], direct!);
  t.is(await stop(), 0);
  const refused = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--model', modelPath, '--host', '0.0.0.0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let e2 = '';
  refused.stderr.on('data', (d: Buffer) => { e2 += d.toString(); });
  t.is(await new Promise<number | null>((resolve) => refused.once('exit', resolve)), 2);
  t.regex(e2, /give a bearer token/);
});

async function startServe(args: string[]): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--model', modelPath, '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); const m = /listening on (http:\/\/\S+?) /.exec(err); if (m) resolve(m[1]!); });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  return { url, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

test.serial('a CPU-bound batch leaves /healthz answering; its timeout (504) drops the work not yet sent', async (t) => {
  const items = Array.from({ length: 16 }, (_, i) => ({ prompt: `What is ${i} + ${i}? Show the sum.`, response: `${2 * i}` }));
  // The cpu backend: the batch must be CPU-bound for longer than the timeout (onnx scores 1024 items in well under 1 s).
  const { url, stop } = await startServe(['--timeout-ms', '1000', '--batch', '16', '--backend', 'cpu', '--max-items', '8192', '--max-generations', '8192']);
  t.teardown(async () => { await stop(); });
  const times: number[] = [];
  for (let k = 0; k < 4; k++) { // one backend call each; the first builds the programs
    const t0 = performance.now();
    t.is((await post(`${url}/get_reward`, { prompts: items.map((i) => i.prompt), responses: items.map((i) => i.response) })).status, 200);
    times.push(performance.now() - t0);
  }
  const perCall = times.slice(1).sort((x, y) => x - y)[1]!;
  // 8192 items (512 calls): several times the timeout even on a quiet machine (1024 once finished inside it).
  const total = 8192;
  const big = { prompts: Array.from({ length: total }, (_, i) => items[i % 16]!.prompt), responses: Array.from({ length: total }, (_, i) => items[i % 16]!.response) };
  const generations = async (): Promise<number> => Number(/^gramr_batch_items_total (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())![1]) - 4 * 16;
  const started = performance.now();
  let done = false;
  const reply = post(`${url}/get_reward`, big).finally(() => { done = true; });
  const latencies: number[] = [];
  while (!done) {
    const h0 = performance.now();
    t.is((await fetch(`${url}/healthz`)).status, 200);
    latencies.push(performance.now() - h0);
    await new Promise((r) => setTimeout(r, 10));
  }
  const r = await reply;
  const took = performance.now() - started;
  t.is(r.status, 504);
  t.regex(r.json.error, /longer than 1000 ms/);
  const sentAt504 = await generations();
  await new Promise((res) => setTimeout(res, 500));
  const sent = await generations();
  const worst = Math.max(...latencies);
  t.log(`one call of 16: ${perCall.toFixed(0)} ms; 504 after ${took.toFixed(0)} ms; /healthz worst ${worst.toFixed(0)} ms over ${latencies.length}; ${sent} of ${total} sent`);
  t.true(latencies.length >= 3, 'several /healthz answers while the batch ran');
  t.true(worst < 50 + 3 * perCall, `/healthz waited at most about one backend call (${worst.toFixed(0)} ms)`);
  t.true(took < 1000 + 3 * perCall + 300, `the 504 came on time (${took.toFixed(0)} ms)`);
  t.true(sent < total, 'the unsent items were dropped');
  t.true(sent - sentAt504 <= 16, 'nothing but the call under way ran after the timeout');
});

test('an item the model cannot take fails only its own request: 400 with its own index; a backend failure stays with its request', async (t) => {
  const { url } = await serve(t, model, { windowMs: 50 });
  const [bad, good] = await Promise.all([
    post(`${url}/get_reward`, { prompts: ['q', 'q'], responses: ['2', 'x'.repeat(400)] }),
    post(`${url}/get_reward`, { prompts: ['What is 1 + 1?'], responses: ['2'] }),
  ]);
  t.is(bad.status, 400);
  t.regex(bad.json.error, /field "responses"\[1\] has 400 tokens; with the prompt it cannot fit the model's 256 positions/);
  t.is(good.status, 200);
  const faulty: RewardModel = {
    objective: model.objective, canVote: false, dispose: () => {}, judgePairs: (i) => model.judgePairs(i),
    score: async (i) => { if (i.some((x) => x.response === 'boom')) throw new Error('the backend failed on boom'); return model.score!(i); },
  };
  const { url: url2, server } = await serve(t, faulty, { windowMs: 50 });
  const [failed, fine] = await Promise.all([
    post(`${url2}/get_reward`, { prompts: ['q', 'q'], responses: ['ok', 'boom'] }),
    post(`${url2}/get_reward`, { prompts: ['q'], responses: ['ok'] }),
  ]);
  t.is(failed.status, 500);
  t.regex(failed.json.error, /failed on boom/);
  t.is(fine.status, 200);
  t.is(server.metrics.count('/get_reward', 200), 1);
});

function slowBody(url: string, headers: Record<string, string> = {}): Promise<{ socket: Socket; reply: Promise<string> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`POST /get_reward HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n${extra}\r\n{"prompts"`);
      let text = '';
      socket.on('data', (d: Buffer) => { text += d.toString(); });
      const reply = new Promise<string>((r) => { socket.on('close', () => r(text)); socket.on('error', () => undefined); });
      resolve({ socket, reply });
    });
  });
}

test('a slow body gets 408, does not hold shutdown, and counts in flight only after auth; the connection cap holds', async (t) => {
  const { url } = await serve(t, model, { bodyTimeoutMs: 300 });
  const timed = await slowBody(url);
  t.regex(await timed.reply, /^HTTP\/1\.1 408[^]*did not arrive within 300 ms/);
  const server = new RewardServer(model, { port: 0, token: 'secret', maxConnections: 3 });
  const { url: url2 } = await server.listen();
  const unauthorized = await slowBody(url2);
  const authorized = await slowBody(url2, { authorization: 'Bearer secret' });
  t.regex(await unauthorized.reply, /^HTTP\/1\.1 401/);
  while (server.metrics.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
  t.is(server.metrics.inFlight, 1, 'only the authorized request is in flight');
  const extra = await Promise.all([slowBody(url2), slowBody(url2), slowBody(url2)]);
  const refused = await Promise.race([extra[2]!.reply.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 500))]);
  t.is(refused, 'closed', 'the connection over the cap of 3 is closed');
  const t0 = performance.now();
  await server.close();
  t.true(performance.now() - t0 < 2000, `close() returned in ${(performance.now() - t0).toFixed(0)} ms with a body still arriving`);
  await authorized.reply;
  for (const e of extra) e.socket.destroy();
});

test('generations are counted (votes × orders) against the per-request cap', async (t) => {
  const seen: number[] = [];
  const voting: RewardModel = {
    objective: 'rationale', canVote: true, dispose: () => {},
    judgePairs: async (items) => { seen.push(...items.map((i) => i.votes)); return items.map(() => ({ label: 'A', confidence: 0.9, probA: 0.9, rationale: 'r', noAnswer: undefined })); },
  };
  const { url, server } = await serve(t, voting, { maxGenerations: 100 });
  const over = await post(`${url}/v1/judge`, { prompt: 'q', a: 'x', b: 'y', votes: 64, swap: true });
  t.is(over.status, 413);
  t.regex(over.json.error, /costs 128 generations \(64 vote\(s\) × 2 order\(s\)\); this server takes at most 100 per request \(--max-generations\)/);
  t.deepEqual(seen, []);
  const ok = await post(`${url}/v1/judge`, { prompt: 'q', a: 'x', b: 'y', votes: 50, swap: true });
  t.is(ok.status, 200);
  t.is(server.metrics.generations, 100);
  const many = await post(`${url}/get_reward`, { prompts: Array(51).fill('q'), responses: Array(51).fill('r'), references: Array(51).fill('s') });
  t.is(many.status, 413);
  t.regex(many.json.error, /costs 102 generations \(two orders per response\)/);
});
