// What a worker refuses before running a job from Redis: unknown keys, a missing content sha, settings out of range,
// a spec or item key its own payload does not hash to (a job writing into another queue's or pair's results), and a
// model outside the worker's --models folders. And credentials: a Redis password never reaches a message, an event,
// a manifest's options or a config hash. None of these needs a Redis server.
import test from 'ava';
import { mkdtemp, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EventLog } from '../../core/pipeline/event-log.js';
import { canonicalJson } from '../../core/pipeline/hash.js';
import { redactCredentials, SecretUrl } from '../../core/pipeline/redact-credentials.js';
import { executorSchema, queueOf } from '../../plugins/queue/executor-options.js';
import { checkJob, checkModelPath, JobRefused, modelRoots } from '../../plugins/queue/job-check.js';
import { itemKey, jobSpec, type LabelJob } from '../../plugins/queue/job-model.js';
import { QueueRun } from '../../plugins/queue/queue-executor.js';
import { queueJudgeSchema } from '../../plugins/queue/queue-judge-stage.js';

const ref = { model: '/models/grm', modelSha: 'a'.repeat(64) };
const pair = { prompt: 'What is 2 + 2?', a: '4', b: '5' };
const judgeJob = (): LabelJob => ({ pairId: 'p1', key: itemKey('p1', pair), spec: jobSpec('judge', ref, { batchSize: 8 }), kind: 'judge', payload: { ...ref, pair, batchSize: 8 } });
const voteSettings = { votes: 3, temperature: 0.8, maxTokens: 64, position: 'none', modelBatchSize: 8 } as const;
const votePair = { id: 'p2', ...pair };
const voteJob = (): LabelJob => ({
  pairId: 'p2', key: itemKey('p2', votePair), spec: jobSpec('vote', ref, { settings: voteSettings, seed: 7 }), kind: 'vote',
  payload: { ...ref, pair: votePair, settings: voteSettings, seed: 7 },
});

function refused(t: import('ava').ExecutionContext, data: unknown, message: RegExp): void {
  t.throws(() => checkJob(data), { instanceOf: JobRefused, message });
}

test('a well-formed job passes; malformed ones are refused naming the field', (t) => {
  t.deepEqual(checkJob(judgeJob()), judgeJob());
  t.deepEqual(checkJob(voteJob()), voteJob());
  const j = judgeJob();
  refused(t, { ...j, extra: 1 }, /^malformed job: \(the job\): .*extra/);
  refused(t, { ...j, payload: { ...j.payload, extra: 1 } }, /malformed job: payload: .*extra/);
  const { modelSha: _sha, ...noSha } = j.payload as typeof ref & { pair: typeof pair };
  refused(t, { ...j, payload: noSha }, /malformed job: payload\.modelSha/);
  refused(t, { ...j, payload: { ...j.payload, modelSha: 'short' } }, /payload\.modelSha: must be the 64 hex digits/);
  refused(t, { ...j, payload: { ...j.payload, model: 'relative/path' } }, /payload\.model: must be an absolute path/);
  refused(t, { ...j, payload: { ...j.payload, batchSize: 0 } }, /payload\.batchSize/);
  refused(t, { ...j, kind: 'exec' }, /malformed job: kind/);
  const v = voteJob();
  refused(t, { ...v, payload: { ...v.payload, settings: { ...voteSettings, votes: 'many' } } }, /payload\.settings\.votes/);
  refused(t, { ...v, payload: { ...v.payload, settings: { ...voteSettings, shell: 'rm -rf /' } } }, /payload\.settings/);
  refused(t, 'not a job', /malformed job/);
});

test('a job whose spec or item key is not its own payload\'s is refused: it cannot write other results', (t) => {
  const j = judgeJob();
  const otherSpec = jobSpec('judge', ref, { batchSize: 4 });
  refused(t, { ...j, spec: otherSpec }, /names spec [0-9a-f]{24} but its model, content sha and settings hash to [0-9a-f]{24}/);
  refused(t, { ...j, payload: { ...j.payload, model: '/models/other' } }, /names spec/);
  refused(t, { ...j, key: itemKey('p1', { ...pair, a: '5' }) }, /names item key .* but its pair content hashes to/);
  refused(t, { ...j, pairId: 'victim' }, /item key/);
  const v = voteJob();
  refused(t, { ...v, pairId: 'p3', key: itemKey('p3', votePair) }, /names pair "p3" but its payload holds pair "p2"/);
});

test('models are opened only under the worker\'s --models folders, links followed', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gramr-roots-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'models', 'grm'), { recursive: true });
  await symlink('/etc', path.join(dir, 'models', 'sneaky'));
  const roots = await modelRoots([path.join(dir, 'models')]);
  await t.notThrowsAsync(checkModelPath(path.join(dir, 'models', 'grm'), roots));
  await t.throwsAsync(checkModelPath('/etc', roots), { instanceOf: JobRefused, message: /^the model \/etc is outside the folders this worker opens models from .*--models DIR/ });
  await t.throwsAsync(checkModelPath(path.join(dir, 'models', 'sneaky'), roots), { instanceOf: JobRefused, message: /outside the folders/ });
  await t.throwsAsync(checkModelPath(path.join(dir, 'models-evil'), roots), { instanceOf: JobRefused, message: /does not exist on this worker/ });
  await t.throwsAsync(modelRoots([path.join(dir, 'nope')]), { message: /--models .*nope: no such folder/ });
});

test('Redis passwords are redacted in text, options, manifests, config hashes and events', async (t) => {
  t.is(redactCredentials('at redis://:hunter2@10.0.0.5:6379 and rediss://alice:s3cr%40t@q:6380/0'), 'at redis://:***@10.0.0.5:6379 and rediss://alice:***@q:6380/0');
  t.is(redactCredentials('redis://127.0.0.1:6379 stays'), 'redis://127.0.0.1:6379 stays');
  t.is(redactCredentials('"redis://token@host:1"'), '"redis://***@host:1"');
  const url = 'rediss://alice:hunter2@queue-host:6380';
  const exec = executorSchema.parse({ kind: 'queue', redis: url });
  t.is(queueOf(exec)!.redis, url, 'the executor connects with the real URL');
  t.is(String(exec.redis), 'rediss://alice:***@queue-host:6380');
  const judge = queueJudgeSchema.parse({ model: 'm', from: 'f', to: 't', redis: url });
  for (const text of [JSON.stringify(exec), JSON.stringify({ options: judge }), canonicalJson(judge), `${exec.redis}`]) t.false(text.includes('hunter2'), text);
  t.is(new SecretUrl('redis://:pw@h:1').reveal(), 'redis://:pw@h:1');
  const dir = await mkdtemp(path.join(tmpdir(), 'gramr-redact-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = new EventLog(path.join(dir, 'events.jsonl'));
  log.write({ type: 'stage-error', error: `cannot reach ${url}`, options: { executor: { redis: url } } });
  const line = await readFile(path.join(dir, 'events.jsonl'), 'utf8');
  t.false(line.includes('hunter2'));
  t.regex(line, /rediss:\/\/alice:\*\*\*@queue-host:6380/);
});

test('a queue that cannot be reached is reported without the password', async (t) => {
  const q = { redis: 'redis://:hunter2@127.0.0.1:1', queue: 'gramr-test-unreachable', attempts: 1, pollMs: 50 };
  const err = await t.throwsAsync(QueueRun.start(q, 'judge', jobSpec('judge', ref, {}), [], 'test run'));
  t.regex(err!.message, /test run: the queue "gramr-test-unreachable" at redis:\/\/:\*\*\*@127\.0\.0\.1:1 could not be used/);
  t.false(err!.message.includes('hunter2'));
});
