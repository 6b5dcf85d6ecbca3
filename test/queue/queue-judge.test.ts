// Distributed judging over BullMQ on a real loopback Redis: job ids are pair ids (adding twice does nothing), results
// are written once; and a `queue-judge` stage run with two `gramr work` processes, one killed with SIGKILL mid-run,
// still writes every pair exactly once, in input order, with the same labels and confidences as judging directly
// with judgeForModel. The model is a tiny Bradley–Terry GRM trained by the real train-grm stage.
// Needs redis-server on 127.0.0.1:6379 (.ci/run starts one); without it the tests are skipped, saying so.
import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { PreferencePair } from '../../core/data/records.js';
import { silentProgress } from '../../core/pipeline/task-context.js';
import { judgeForModel } from '../../plugins/grm/judge-for-model.js';
import { connectionFor, enqueue, readResults, resultsKey, writeResultOnce, type LabelJob, type LabelResult } from '../../plugins/queue/job-model.js';
import { cpuBackend, vmath } from '../recipe/helpers.js';
import { pipelineText, runIn } from '../recipe/pipeline-helpers.js';

const URL = 'redis://127.0.0.1:6379';

async function redisAnswers(): Promise<boolean> {
  const r = new Redis(URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
const up = await redisAnswers();
const SKIP = `skipped: no Redis server answers at ${URL} (install redis-server; .ci/run starts one)`;
if (!up) console.log(`test/queue: ${SKIP}`);
const redisTest = (title: string, fn: (t: ExecutionContext) => Promise<void>): void => {
  if (up) test.serial(title, fn);
  else test.skip(`${title} — ${SKIP}`, fn);
};
const unique = (tag: string): string => `gramr-test-${tag}-${process.pid}-${Date.now()}`;

redisTest('a job id is its pair id: enqueueing twice adds one job; a result is written only once', async (t) => {
  const name = unique('idem');
  const queue = new Queue<LabelJob>(name, { connection: connectionFor(URL) });
  const redis = new Redis(URL);
  t.teardown(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.del(resultsKey(name));
    redis.disconnect();
  });
  const job: LabelJob = { pairId: 'vm:test:7', kind: 'judge', payload: { model: '/nowhere', pair: { prompt: 'p', a: 'x', b: 'y' } } };
  await enqueue(queue, [job]);
  await enqueue(queue, [job, { ...job, pairId: '42' }]);
  const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
  t.is(Object.values(counts).reduce((a, b) => a + b, 0), 2);
  const first: LabelResult = { label: 'A', confidence: 0.75, worker: 'w1' };
  t.true(await writeResultOnce(redis, name, 'vm:test:7', first));
  t.false(await writeResultOnce(redis, name, 'vm:test:7', { label: 'B', confidence: 0.9, worker: 'w2' }));
  t.deepEqual(await readResults(redis, name, ['vm:test:7', '42']), [first, undefined]);
});

redisTest('queue-judge with 2 workers, one killed -9 mid-run: every pair once, in order, equal to direct judging', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gramr-queue-'));
  const name = unique('judge');
  const redis = new Redis(URL);
  const workers: ChildProcess[] = [];
  const logs: string[] = ['', ''];
  t.teardown(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    const q = new Queue(name, { connection: connectionFor(URL) });
    await q.obliterate({ force: true });
    await q.close();
    await redis.del(resultsKey(name));
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });
  const oneStep = { difficulty: { maxSteps: 1 }, errorTypes: ['slipped-digit', 'wrong-operation', 'carry-error'] };
  const train = vmath({ split: 'labeled', count: 32, ...oneStep } as never);
  const pairs = vmath({ split: 'test', count: 60, ...oneStep } as never) as PreferencePair[];
  for (const i of [0, 1]) {
    const w = spawn(process.execPath, ['dist/core/cli/main.js', 'work', '--redis', URL, '--queue', name, '--lock-ms', '1500'], { stdio: ['ignore', 'ignore', 'pipe'] });
    w.stderr!.on('data', (d: Buffer) => { logs[i] += d.toString(); });
    workers.push(w);
  }
  const [victim, survivor] = workers as [ChildProcess, ChildProcess];
  const victimId = `${hostname()}:${victim.pid}`;
  let atKill: number | undefined;
  const watch = setInterval(() => {
    if (atKill !== undefined) return;
    void redis.hvals(resultsKey(name)).then((vals) => {
      if (atKill !== undefined) return;
      if (vals.some((v) => (JSON.parse(v) as LabelResult).worker === victimId)) {
        atKill = vals.length;
        victim.kill('SIGKILL');
      }
    });
  }, 5);
  t.teardown(() => clearInterval(watch));
  const stages = `  - stage: train-grm
    id: train
    from: train
    to: grm
    objective: bradley-terry
    init: { scratch: { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 256 } }
    trainer: { steps: 8, lr: 0.01, batchSize: 16, maxLength: 256, buckets: 1, warmup: 0, evalEvery: 0, checkpointEvery: 1000 }
  - stage: queue-judge
    id: qj
    model: grm
    from: test
    to: judged
    redis: ${URL}
    queue: ${name}
    pollMs: 50
    timeoutS: 40
`;
  const run = await runIn(dir, pipelineText(dir, 'queue', { train: { kind: 'inline', records: train }, test: { kind: 'inline', records: pairs } }, stages));
  clearInterval(watch);
  const qj = run.stages.find((s) => s.id === 'qj')!;
  t.is(qj.status, 'ran', `worker logs:\n${logs.join('\n')}`);
  t.not(atKill, undefined, 'the victim worker judged something before the end');
  t.true(atKill! < pairs.length, `killed mid-run: ${atKill} of ${pairs.length} results were in at the kill`);
  t.is(victim.signalCode, 'SIGKILL');
  t.is(survivor.exitCode, null, 'the survivor is still running');
  const out = readFileSync(join(run.runDir, 'qj', 'judged.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PreferencePair & { judgment: LabelResult });
  t.deepEqual(out.map((r) => r.id), pairs.map((p) => p.id), 'every pair exactly once, in input order');
  const by = new Set(out.map((r) => r.judgment.worker));
  t.true(by.has(victimId) && by.has(`${hostname()}:${survivor.pid}`), `both workers wrote results: ${[...by].join(', ')}`);
  t.log(`${atKill} of ${pairs.length} results in when the victim was killed; metrics ${JSON.stringify(qj.metrics)}`);
  // The same labels and confidences as judging each pair directly with the model.
  const judge = await judgeForModel(join(run.runDir, 'train', 'grm'), await cpuBackend(), { batchSize: 8 });
  t.teardown(() => judge.dispose());
  const ctx = { signal: new AbortController().signal, progress: silentProgress, seed: 0 };
  for (const [i, p] of pairs.entries()) {
    const [d] = await judge([{ prompt: p.prompt, a: p.a, b: p.b }], ctx);
    const { worker: _w, ...got } = out[i]!.judgment;
    t.deepEqual(got, { ...d! }, `pair ${p.id}`);
  }
  t.is(qj.metrics.records, pairs.length);
  t.is(qj.metrics.labeledA! + qj.metrics.labeledB!, pairs.length);
});
