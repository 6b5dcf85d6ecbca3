// QueueRun's failure paths on a real loopback Redis with one `gramr work` process: a job whose model folder no longer
// has the content sha it was queued with is refused without retries and stops the collecting stage with the worker's
// reason; a later run retries that failed job instead of waiting forever on it.
import * as path from 'node:path';
import type { QueueExecutorOptions } from '../../plugins/queue/executor-options.js';
import { itemKey, jobSpec, modelIdentity, type JudgePayload, type LabelResult } from '../../plugins/queue/job-model.js';
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
