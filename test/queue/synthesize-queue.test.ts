// synthesize-rationales with `executor: {kind: queue}` on a real loopback Redis, with the fixture prover: the kept
// records, the per-pair log (every candidate's text, rule or score) and the report equal the local executor's byte
// for byte; and a stage process SIGKILLed after some results are stored (its worker too) resumes on rerun: only the
// pairs without a stored result are enqueued (the queue is emptied in between, so every job the rerun needs is one
// it added), a fresh worker does exactly those, and the files again equal the local run's.
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { connectionFor } from '../../plugins/queue/job-model.js';
import { tempDir } from '../self-training/fixture-models.js';
import { pipeline, runIn, vmathSet } from '../self-training/pipelines.js';
import { dropQueue, redisTest, redisUp, startWorker, storedResults, unique, URL } from './queue-helpers.js';

const PAIRS = 8;
const FILES = ['synthesized.jsonl', 'synthesized-log.jsonl', 'synthesized-report/report.json'];

const synth = (executor?: Record<string, unknown>): string => pipeline('synth', { pairs: vmathSet('test', PAIRS) }, `  - stage: synthesize-rationales
    from: pairs
    prover: prover
    to: synthesized
    k: 3
    temperature: 0.8
    maxTokens: 100
    rules: { maxRationaleBytes: 100 }
    batchSize: 3
    logProofs: true
${executor ? `    executor: ${JSON.stringify(executor)}\n` : ''}`);
const queueExec = (name: string): Record<string, unknown> => ({ kind: 'queue', redis: URL, queue: name, pollMs: 50, timeoutS: 60 });
const read = (runDir: string): Record<string, string> => Object.fromEntries(FILES.map((f) => [f, readFileSync(path.join(runDir, 'synthesize-rationales', f), 'utf8')]));

let local: Record<string, string> = {};
let localMs = 0;
test.before(async () => {
  if (!redisUp) return;
  const dir = tempDir({ teardown: (fn) => process.once('exit', fn) });
  const t0 = Date.now();
  local = read((await runIn(dir, synth())).runDir);
  localMs = Date.now() - t0;
});

redisTest('synthesize-rationales through the queue equals local synthesis: records, kept/dropped decisions, candidates, report', async (t) => {
  const name = unique('synth');
  t.teardown(() => dropQueue(name));
  const w = startWorker(t, name);
  const t0 = Date.now();
  const r = await runIn(tempDir(t), synth(queueExec(name)));
  const ms = Date.now() - t0;
  t.is(r.stages[0]!.status, 'ran', w.log());
  const got = read(r.runDir);
  const log = got['synthesized-log.jsonl']!.trim().split('\n').map((l) => JSON.parse(l) as { id: string; kept: number; proofs: unknown[] });
  t.is(log.length, PAIRS, 'one log line per pair');
  t.true(log.some((l) => l.kept === 1) && log.some((l) => l.kept === 0), 'some pairs kept and some dropped (both decisions compared)');
  for (const f of FILES) t.is(got[f], local[f], `${f} equals the local executor's`);
  t.is(r.stages[0]!.metrics.enqueued, PAIRS);
  t.log(`${PAIRS} pairs, ${log.filter((l) => l.kept).length} kept; queued ${ms} ms (1 worker), local ${localMs} ms`);
});

redisTest('a stage killed -9 after some results are stored resumes: only missing pairs are enqueued, each pair once, equal to local', async (t) => {
  const name = unique('resume');
  const redis = new Redis(URL);
  t.teardown(async () => { await dropQueue(name); redis.disconnect(); });
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'p.yaml'), synth(queueExec(name)));
  const first = startWorker(t, name);
  // --jobs 1: the stage runs inside the killed process, so nothing writes its files after the kill (with more
  // jobs a stage process outlives its runner for a moment; the runner tests cover that case).
  const stage = spawn(process.execPath, [path.join(process.cwd(), 'dist/cli/main.js'), 'run', 'p.yaml', '--jobs', '1', '--json'], { cwd: dir, stdio: 'ignore' });
  t.teardown(() => { if (stage.exitCode === null && stage.signalCode === null) stage.kill('SIGKILL'); });
  const started = Date.now();
  while ((await storedResults(redis, name)).size < 5 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 5));
  stage.kill('SIGKILL');
  first.proc.kill('SIGKILL');
  await Promise.all([new Promise((r) => stage.once('exit', r)), new Promise((r) => first.proc.once('exit', r))]);
  const before = await storedResults(redis, name);
  t.true(before.size >= 5 && before.size < PAIRS, `killed mid-run: ${before.size} of ${PAIRS} results stored`);
  // Empty the queue (results stay): whatever the rerun needs done, it must enqueue itself.
  const q = new Queue(name, { connection: connectionFor(URL) });
  await q.obliterate({ force: true });
  await q.close();

  const second = startWorker(t, name);
  const r = await runIn(dir, synth(queueExec(name)));
  const m = r.stages[0]!.metrics;
  t.is(r.stages[0]!.status, 'ran', second.log());
  const resumed = m.resumedAfter!;
  const storedIds = new Set([...before.keys()].map((k) => k.slice(k.lastIndexOf('|') + 1, k.lastIndexOf('#'))));
  const logIds = read(r.runDir)['synthesized-log.jsonl']!.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
  const storedAfterDisk = logIds.slice(resumed).filter((id) => storedIds.has(id)).length;
  t.is(m.storedBefore, storedAfterDisk, 'results stored before the kill are read, not enqueued');
  t.is(m.enqueued, PAIRS - resumed - storedAfterDisk, 'only pairs without a stored result are enqueued');
  const after = await storedResults(redis, name);
  t.is(after.size, PAIRS, 'one stored result per pair');
  t.is([...after.values()].filter((x) => x.worker === second.id).length, m.enqueued, 'the fresh worker did exactly the enqueued jobs');
  t.deepEqual(read(r.runDir), local, 'the final files equal the local run\'s');
  t.log(`${before.size} of ${PAIRS} results stored at the kill; the rerun resumed after ${resumed} logged pairs, read ${m.storedBefore} stored results, enqueued ${m.enqueued}`);
});
