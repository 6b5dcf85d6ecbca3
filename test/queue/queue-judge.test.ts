// Distributed judging over BullMQ on a real loopback Redis: job ids are spec + item key (adding twice does nothing),
// results are written once per spec; and a `queue-judge` stage run with two `gramr work` processes, one killed with SIGKILL mid-run,
// still writes every pair exactly once, in input order, with the same labels and confidences as judging directly
// with judgeForModel. The model is a tiny Bradley–Terry GRM trained by the real train-grm stage.
// Needs redis-server on 127.0.0.1:6379 (.ci/run starts one); without it the tests are skipped, saying so.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { PreferencePair } from '../../core/data/records.js';
import { silentProgress } from '../../core/pipeline/task-context.js';
import { judgeForModel } from '../../plugins/grm/judge-for-model.js';
import { connectionFor, decodeResult, encodeResult, enqueue, itemKey, jobSpec, readResults, writeResultOnce, type LabelJob, type LabelResult } from '../../plugins/queue/job-model.js';
import { cpuBackend, vmath } from '../recipe/helpers.js';
import { pipelineText, runIn } from '../recipe/pipeline-helpers.js';
import { dropQueue, killOnFirstResult, redisTest, startWorker, unique, URL } from './queue-helpers.js';
import { ModelJudgeOpener } from '../../core/reward/judge-opener.js';

test('job specs change with the model content and the settings; item keys with the pair content; results keep -Infinity', (t) => {
  const ref = { model: '/m', modelSha: 'a'.repeat(64) };
  const spec = jobSpec('vote', ref, { votes: 3, seed: 0 });
  t.is(spec, jobSpec('vote', { ...ref }, { seed: 0, votes: 3 }), 'key order does not matter');
  t.not(spec, jobSpec('vote', { ...ref, modelSha: 'b'.repeat(64) }, { votes: 3, seed: 0 }), 'other weights');
  t.not(spec, jobSpec('vote', ref, { votes: 3, seed: 1 }), 'other seed');
  t.not(spec, jobSpec('prove', ref, { votes: 3, seed: 0 }), 'other kind');
  t.not(spec, jobSpec('vote', { ...ref, model: '/m2' }, { votes: 3, seed: 0 }), 'other path');
  t.regex(itemKey('vm:7', { prompt: 'p' }), /^vm:7#[0-9a-f]{12}$/);
  t.not(itemKey('vm:7', { prompt: 'p' }), itemKey('vm:7', { prompt: 'q' }));
  const r = { score: -Infinity, nan: Number.NaN, ok: 0.5, nested: [{ s: Infinity }] };
  t.deepEqual(decodeResult(encodeResult(r)), r);
});

redisTest('a job id is spec + item key: enqueueing twice adds one job; a result is written only once per spec', async (t) => {
  const name = unique('idem');
  const queue = new Queue<LabelJob>(name, { connection: connectionFor(URL) });
  const redis = new Redis(URL);
  t.teardown(async () => {
    await queue.close();
    await dropQueue(name);
    redis.disconnect();
  });
  const spec = jobSpec('judge', { model: '/nowhere', modelSha: '0'.repeat(64) }, {});
  const job: LabelJob = { pairId: 'vm:test:7', key: itemKey('vm:test:7', {}), spec, kind: 'judge', payload: { model: '/nowhere', modelSha: '0'.repeat(64), pair: { prompt: 'p', a: 'x', b: 'y' } } };
  await enqueue(queue, [job]);
  await enqueue(queue, [job, { ...job, pairId: '42', key: '42' }]);
  const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
  t.is(Object.values(counts).reduce((a, b) => a + b, 0), 2);
  const first: LabelResult = { label: 'A', confidence: 0.75, worker: 'w1' };
  t.true(await writeResultOnce(redis, name, spec, job.key, first));
  t.false(await writeResultOnce(redis, name, spec, job.key, { label: 'B', confidence: 0.9, worker: 'w2' }));
  t.deepEqual(await readResults(redis, name, spec, [job.key, '42']), [first, undefined]);
  const other = jobSpec('judge', { model: '/nowhere', modelSha: '0'.repeat(64) }, { batchSize: 4 });
  t.deepEqual(await readResults(redis, name, other, [job.key]), [undefined], 'another spec on the same queue sees nothing');
});

redisTest('queue-judge with 2 workers, one killed -9 mid-run: every pair once, in order, equal to direct judging', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gramr-queue-'));
  const name = unique('judge');
  const redis = new Redis(URL);
  t.teardown(async () => {
    await dropQueue(name);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });
  const oneStep = { difficulty: { maxSteps: 1 }, errorTypes: ['slipped-digit', 'wrong-operation', 'carry-error'] };
  const train = vmath({ split: 'labeled', count: 32, ...oneStep } as never);
  const pairs = vmath({ split: 'test', count: 60, ...oneStep } as never) as PreferencePair[];
  const [victim, survivor] = [startWorker(t, name), startWorker(t, name)];
  const watch = killOnFirstResult(redis, name, victim);
  t.teardown(() => watch.stop());
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
  watch.stop();
  const atKill = watch.atKill();
  const qj = run.stages.find((s) => s.id === 'qj')!;
  t.is(qj.status, 'ran', `worker logs:\n${victim.log()}\n${survivor.log()}`);
  t.not(atKill, undefined, 'the victim worker judged something before the end');
  t.true(atKill! < pairs.length, `killed mid-run: ${atKill} of ${pairs.length} results were in at the kill`);
  t.is(victim.proc.signalCode, 'SIGKILL');
  t.is(survivor.proc.exitCode, null, 'the survivor is still running');
  const out = readFileSync(join(run.runDir, 'qj', 'judged.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PreferencePair & { judgment: LabelResult });
  t.deepEqual(out.map((r) => r.id), pairs.map((p) => p.id), 'every pair exactly once, in input order');
  const by = new Set(out.map((r) => r.judgment.worker));
  t.true(by.has(victim.id) && by.has(survivor.id), `both workers wrote results: ${[...by].join(', ')}`);
  t.log(`${atKill} of ${pairs.length} results in when the victim was killed; metrics ${JSON.stringify(qj.metrics)}`);
  // The same labels and confidences as judging each pair directly with the model.
  const judge = await judgeForModel(new ModelJudgeOpener(), join(run.runDir, 'train', 'grm'), await cpuBackend(), { batchSize: 8 });
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
