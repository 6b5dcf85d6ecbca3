// QueueRun's failure paths on a real loopback Redis with one `gramr work` process: a job whose model folder no longer
// has the content sha it was queued with is refused without retries and stops the collecting stage with the worker's
// reason; a later run retries that failed job instead of waiting forever on it. Forged jobs (another pair's content
// under a victim's spec and key, a model outside --models) fail for good and write nothing; the real job then writes
// the real result; the worker never prints the Redis password.
import * as path from 'node:path';
import type { QueueExecutorOptions } from '../../plugins/queue/executor-options.js';
import { tmpdir } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { connectionFor, enqueue, itemKey, jobSpec, modelIdentity, readResults, type JudgePayload, type LabelJob, type LabelResult } from '../../plugins/queue/job-model.js';
import { QueueRun } from '../../plugins/queue/queue-executor.js';
import { FIXTURE_DIR } from '../self-training/fixture-models.js';
import { dropQueue, redisTest, startWorker, unique, URL } from './queue-helpers.js';

redisTest('a job for changed model content fails for good with the worker\'s reason; the next run retries it', async (t) => {
  const name = unique('exec');
  t.teardown(() => dropQueue(name));
  const q: QueueExecutorOptions = { redis: URL, queue: name, attempts: 3, pollMs: 50, timeoutS: 30 };
  const model = path.join(FIXTURE_DIR, 'grm');
  t.regex(await modelIdentity(model), /^[0-9a-f]{64}$/);
  const ref = { model, modelSha: '0'.repeat(64) }; // not the folder's content
  const pair = { prompt: '1+1?', a: '2', b: '3' };
  const items = [{ key: itemKey('p1', pair), pairId: 'p1', payload: { ...ref, pair } satisfies JudgePayload }];
  const spec = jobSpec('judge', ref, {});
  const w = startWorker(t, name);
  const run = await QueueRun.start<LabelResult>(q, 'judge', spec, items, 'test run');
  t.deepEqual(run.stats, { total: 1, storedBefore: 0, enqueued: 1, retried: 0 });
  const err = await t.throwsAsync(run.collect([items[0]!.key], new AbortController().signal));
  await run.close();
  t.regex(err!.message, /test run: the judge job for pair "p1" failed after 1 attempt\(s\): .*not the one the job was queued for/, w.log());
  const again = await QueueRun.start<LabelResult>(q, 'judge', spec, items, 'test run');
  await again.close();
  t.is(again.stats.retried, 1, 'the failed job is retried by the next run');
});

redisTest('forged jobs fail for good and write nothing; the real job writes the real result; no password is printed', async (t) => {
  const name = unique('forged');
  const queue = new Queue(name, { connection: connectionFor(URL) });
  const redis = new Redis(URL);
  t.teardown(async () => { await queue.close(); redis.disconnect(); await dropQueue(name); });
  const model = path.join(FIXTURE_DIR, 'grm');
  const ref = { model, modelSha: await modelIdentity(model) };
  const pair = { prompt: '1+1?', a: '2', b: '3' };
  const spec = jobSpec('judge', ref, {});
  const key = itemKey('p1', pair);
  const etc = { model: '/etc', modelSha: ref.modelSha };
  const forged: LabelJob[] = [
    { pairId: 'p1', key, spec, kind: 'judge', payload: { ...ref, pair: { ...pair, a: '3', b: '2' } } },
    { pairId: 'p2', key: itemKey('p2', pair), spec: jobSpec('judge', etc, {}), kind: 'judge', payload: { ...etc, pair } },
  ];
  await enqueue(queue, forged, 1);
  const w = startWorker(t, name, 1500, [tmpdir(), process.cwd()], URL.replace('redis://', 'redis://:hunter2@'));
  for (let i = 0; i < 600 && (await queue.getFailedCount()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
  const reasons = (await queue.getFailed()).map((j) => j.failedReason).sort();
  t.is(reasons.length, 2, w.log());
  t.regex(reasons.join('\n'), /names item key .* but its pair content hashes to/);
  t.regex(reasons.join('\n'), /the model \/etc is outside the folders this worker opens models from/);
  t.deepEqual(await readResults(redis, name, spec, [key]), [undefined], 'the forged job wrote nothing');
  const q: QueueExecutorOptions = { redis: URL, queue: name, attempts: 1, pollMs: 50, timeoutS: 60 };
  const run = await QueueRun.start<LabelResult>(q, 'judge', spec, [{ key, pairId: 'p1', payload: { ...ref, pair } satisfies JudgePayload }], 'test run');
  const [real] = await run.collect([key], new AbortController().signal);
  await run.close();
  t.is(real!.worker, w.id);
  t.regex(w.log(), /at redis:\/\/:\*\*\*@127\.0\.0\.1:6379/);
  t.false(w.log().includes('hunter2'));
});
