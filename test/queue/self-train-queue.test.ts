// self-train with `executor: {kind: queue}` on a real loopback Redis: the round's votes and prover rationales are
// `vote` / `prove` jobs done by two `gramr work` processes, one SIGKILLed as soon as it has written a result. The
// round's files (pseudo-labels, rationales), the stage's labels and data artifacts and the retrained GRM are byte for
// byte those of the same pipeline with the local executor, every pair once. Fixture models: test/fixtures/self-training.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { FIXTURE_SCRATCH, tempDir, vmathPairs } from '../self-training/fixture-models.js';
import { pipeline, runIn, SMALL_STRATEGY, vmathSet } from '../self-training/pipelines.js';
import { dropQueue, killOnFirstResult, redisTest, startWorker, storedResults, unique, URL } from './queue-helpers.js';

const PAIRS = 8;
const FILES = ['grm-st-labels.jsonl', 'grm-st-data.jsonl', 'round-1/labels.jsonl', 'round-1/rationales.jsonl', 'grm-st/model.safetensors'];

const selfTrain = (executor?: Record<string, unknown>): string => pipeline('st', { seed: vmathSet('seed', 8, 3), u1: vmathSet('unlabeled-1', PAIRS) }, `  - stage: self-train
    grm: grm
    prover: prover
    synthesized: seed
    rounds: [u1]
    backbone: ${JSON.stringify({ scratch: FIXTURE_SCRATCH })}
    strategy: ${JSON.stringify(SMALL_STRATEGY)}
    to: grm-st
${executor ? `    executor: ${JSON.stringify(executor)}\n` : ''}`);

const read = (stageDir: string): Record<string, string> => Object.fromEntries(FILES.map((f) => [f, readFileSync(path.join(stageDir, f)).toString('base64')]));
const lines = (file: string): Array<{ id: string; kept: boolean; label?: string }> => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; kept: boolean });

redisTest('self-train with executor queue, 2 workers, one killed -9 mid-run: labels, rationales and the retrained GRM equal the local run', async (t) => {
  const name = unique('st');
  const redis = new Redis(URL);
  t.teardown(async () => { await dropQueue(name); redis.disconnect(); });
  const [victim, survivor] = [startWorker(t, name), startWorker(t, name)];
  const watch = killOnFirstResult(redis, name, victim);
  t.teardown(() => watch.stop());

  const t0 = Date.now();
  const queued = await runIn(tempDir(t), selfTrain({ kind: 'queue', redis: URL, queue: name, pollMs: 50, timeoutS: 60 }));
  const queuedMs = Date.now() - t0;
  watch.stop();
  t.is(queued.stages[0]!.status, 'ran', `worker logs:\n${victim.log()}\n${survivor.log()}`);
  const t1 = Date.now();
  const local = await runIn(tempDir(t), selfTrain());
  const localMs = Date.now() - t1;

  const stored = await storedResults(redis, name);
  const atKill = watch.atKill();
  t.not(atKill, undefined, 'the victim wrote a result before the end');
  t.true(atKill! < stored.size, `killed mid-run: ${atKill} of ${stored.size} results were in at the kill`);
  t.is(victim.proc.signalCode, 'SIGKILL');
  t.is(survivor.proc.exitCode, null, 'the survivor is still running');
  const by = new Set([...stored.values()].map((r) => r.worker));
  t.true(by.has(victim.id) && by.has(survivor.id), `both workers wrote results: ${[...by].join(', ')}`);

  const qDir = path.join(queued.runDir, 'self-train'), lDir = path.join(local.runDir, 'self-train');
  const labels = lines(path.join(qDir, 'grm-st-labels.jsonl'));
  t.deepEqual(labels.map((l) => l.id), vmathPairs('unlabeled-1', PAIRS).map((p) => p.id), 'every pair once, in input order');
  const kept = labels.filter((l) => l.kept).length, confident = lines(path.join(qDir, 'round-1/rationales.jsonl')).length;
  t.true(kept > 0, 'something was kept (so proofs and the retrain are compared too)');
  t.is(stored.size, PAIRS + confident, `one stored result per vote job (${PAIRS}) and per prove job (${confident})`);
  const q = read(qDir), l = read(lDir);
  for (const f of FILES) t.is(q[f], l[f], `${f} equals the local executor's`);
  t.log(`${PAIRS} pairs: ${PAIRS} vote + ${confident} prove jobs, ${kept} kept; ${atKill} results in at the kill; queued ${queuedMs} ms, local ${localMs} ms; ${queued.stages[0]!.summary}`);
});
