// Whole stages on `gramr work` workers (placement kind queue): validation of `placement` (stage and pipeline level),
// the strict run-stage job check, worker start-up errors, an unreachable Redis; and, on a loopback Redis with real worker processes: two train-grm stages placed on
// the queue run on two workers and give the same model bytes as a local --jobs 1 run; a failing placed stage is
// reported with its worker's reason (and its progress reaches the runner's --json events) while an independent stage
// finishes; a refused job says why; a worker killed mid-stage makes the runner give up after stallS instead of
// hanging, after which a rerun resumes the stage; Ctrl-C of the runner stops the stage on its worker.
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { loadAppPipeline } from '../../cli/app.js';
import { runPipeline, runResultOf, type RunResult } from '../../core/pipeline/runner.js';
import { stageConfigHash } from '../../core/pipeline/stage-exec.js';
import { connectionFor } from '../../plugins/queue/job-model.js';
import { checkStageJob, stageJobId } from '../../plugins/queue/stage-job.js';
import { vmath } from '../recipe/helpers.js';
import { pipelineText } from '../recipe/pipeline-helpers.js';
import { cli, cliSpawn, tempDir, writeCountPlugin, writeIn } from '../pipeline/helpers.js';
import { dropQueue, redisTest, startWorker, unique, URL } from './queue-helpers.js';

const queueAt = (name: string, extra = ''): string => `{ kind: queue, redis: "${URL}", queue: ${name}, pollMs: 50${extra} }`;

/** Runs `dir/p.yaml` in this process with `jobs`; returns the result, or the failed run's result. */
async function run(dir: string, jobs: number, file = 'p.yaml'): Promise<{ result: RunResult; error?: Error }> {
  const p = await loadAppPipeline(path.join(dir, file));
  try {
    return { result: await runPipeline(p, { runsDir: path.join(dir, 'runs'), progress: 'quiet', jobs }) };
  } catch (e) {
    const result = runResultOf(e);
    if (!result) throw e;
    return { result, error: e as Error };
  }
}

/** Runs the CLI in `cwd` without blocking this process (the workers' jobs go through it). */
async function cliAsync(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = cliSpawn(args, cwd);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const manifest = (runDir: string, id: string): { configHash: string; worker?: string } => JSON.parse(readFileSync(path.join(runDir, id, 'manifest.json'), 'utf8'));

test('placement is validated at load: unknown keys, missing redis, unknown kinds and local with options name the path', async (t) => {
  const dir = tempDir('gramr-place-');
  writeCountPlugin(dir);
  const load = async (stageA: string, top = ''): Promise<string> => {
    writeIn(dir, 'p.yaml', `name: g\nplugins: [./count.mjs]\n${top}stages:\n  - { stage: count-to, id: a, n: 10, to: left${stageA} }\n  - { stage: count-to, id: b, n: 10, to: right }\n`);
    const e = await t.throwsAsync(loadAppPipeline(path.join(dir, 'p.yaml')));
    return e!.message;
  };
  t.regex(await load(', placement: { kind: queue, queue: q }'), /p\.yaml:4: stages\[0\]\.placement\.redis: placement kind queue needs redis: URL/);
  t.regex(await load(`, placement: { kind: queue, redis: "${URL}", colour: red }`), /stages\[0\]\.placement.*colour/);
  t.regex(await load(', placement: { kind: cloud }'), /stages\[0\]\.placement\.kind: unknown StagePlacement kind "cloud"; valid kinds: queue/);
  t.regex(await load(', placement: { kind: local, redis: x }'), /stages\[0\]\.placement\.redis: placement kind local takes no other keys/);
  t.regex(await load('', 'placement: { kind: queue }\n'), /p\.yaml:3: placement\.redis: placement kind queue needs redis/);

  // A pipeline-level placement applies to every stage that names none; a stage's own `{kind: local}` opts out; the
  // placement is not part of what a stage computes, so its config hash is the one of the unplaced stage.
  writeIn(dir, 'p.yaml', `name: g\nplugins: [./count.mjs]\nplacement: ${queueAt('q1')}\nstages:\n  - { stage: count-to, id: a, n: 10, to: left }\n  - { stage: count-to, id: b, n: 10, to: right, placement: { kind: local } }\n`);
  const placed = await loadAppPipeline(path.join(dir, 'p.yaml'));
  t.like(placed.stages[0]!.placement, { kind: 'queue', options: { queue: 'q1', stallS: 60, pollMs: 50 } });
  t.is(placed.stages[1]!.placement, undefined);
  writeIn(dir, 'plain.yaml', 'name: g\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, id: a, n: 10, to: left }\n');
  const plain = await loadAppPipeline(path.join(dir, 'plain.yaml'));
  t.is(stageConfigHash(placed.stages[0]!, 0), stageConfigHash(plain.stages[0]!, 0));
});

test('a run-stage job is checked strictly: only paths and ids, no plugin overrides, nothing outside the run folder', (t) => {
  const good = {
    kind: 'run-stage', file: '/data/p.yaml', sets: ['stages[0].n=5'], runDir: '/data/runs/g', stageId: 'a',
    attempt: { configHash: 'a'.repeat(64), inputs: { left: 'b'.repeat(64) } },
    index: [['left', { runPath: 'x/left.jsonl', out: { kind: 'records', path: 'x/left.jsonl', hash: 'c'.repeat(64), records: 3 } }]],
    lockToken: 'k2f9', heartbeatMs: 1000,
  };
  t.deepEqual(checkStageJob(good), good);
  const refused = (patch: Record<string, unknown>): string => t.throws(() => checkStageJob({ ...good, ...patch }))!.message;
  t.regex(refused({ command: 'rm -rf /' }), /malformed run-stage job: \(the job\): Unrecognized key: "command"/);
  t.regex(refused({ file: 'p.yaml' }), /file: must be a normalized absolute path/);
  t.regex(refused({ runDir: '/data/runs/../../etc' }), /runDir: must be a normalized absolute path/);
  t.regex(refused({ stageId: '../b' }), /stageId: must be one path segment/);
  t.regex(refused({ index: [['left', { runPath: '../../etc/passwd', out: good.index[0]![1] }]] }), /index\.0\.1\.runPath: must be a path inside the run folder/);
  t.regex(refused({ sets: ['plugins=[/tmp/evil.mjs]'] }), /"plugins" overrides the plugins; a worker loads only the plugins the pipeline file names/);
  t.regex(refused({ sets: ['plugins[0]=/tmp/evil.mjs'] }), /overrides the plugins/);
  t.regex(refused({ sets: ['just-a-word'] }), /is not a KEY=VALUE override/);
  t.not(stageJobId(good), stageJobId({ ...good, lockToken: 'other' }), 'another run of the folder queues another job');
  t.regex(stageJobId(good), /^run-stage-[0-9a-f]{24}$/);
});

test('a placed stage whose Redis does not answer fails at once, naming the queue without its password; the local stage runs', async (t) => {
  const dir = tempDir('gramr-place-noredis-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', `name: g\nplugins: [./count.mjs]\nstages:
  - { stage: count-to, id: a, n: 10, to: left, placement: { kind: queue, redis: "redis://:hunter2@127.0.0.1:1", queue: q } }
  - { stage: count-to, id: b, n: 10, to: right }
`);
  const { result, error } = await run(dir, 1);
  t.regex(error?.message ?? '', /^stage "a" \(placement queue "q" at redis:\/\/:\*\*\*@127\.0\.0\.1:1\): Redis does not answer \(.*\); is it running there\?/);
  t.notRegex(error?.message ?? '', /hunter2/);
  t.deepEqual(result.stages.map((s) => s.status), ['failed', 'ran']);
});

test('gramr work needs --models or --pipelines, and each must be a folder', (t) => {
  const none = cli(['work', '--redis', URL], process.cwd());
  t.is(none.code, 2);
  t.regex(none.stderr, /--models DIR or --pipelines DIR is required/);
  const missing = cli(['work', '--redis', URL, '--pipelines', '/nonexistent/gramr-pipelines'], process.cwd());
  t.is(missing.code, 2);
  t.regex(missing.stderr, /--pipelines \/nonexistent\/gramr-pipelines: no such folder/);
});

redisTest('two train-grm stages placed on the queue run on two workers, with the model bytes of a local --jobs 1 run', async (t) => {
  const name = unique('stage');
  t.teardown(() => dropQueue(name));
  const train = vmath({ split: 'labeled', count: 32, difficulty: { maxSteps: 1 }, errorTypes: ['slipped-digit', 'wrong-operation', 'carry-error'] } as never);
  const stages = (placement: string): string => ['0.01', '0.02'].map((lr, i) => `  - stage: train-grm
    id: g${i}
    from: train
    to: grm${i}
    objective: bradley-terry
    init: { scratch: { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 256 } }
    trainer: { steps: 6, lr: ${lr}, batchSize: 16, maxLength: 256, buckets: 1, warmup: 0, evalEvery: 0, checkpointEvery: 1000 }
${placement}`).join('\n') + '\n  - { stage: report, id: rep, title: both, to: rep }\n';
  const remote = tempDir('gramr-place-remote-');
  const local = tempDir('gramr-place-local-');
  writeFileSync(path.join(remote, 'p.yaml'), pipelineText(remote, 'q', { train: { kind: 'inline', records: train } }, stages(`    placement: ${queueAt(name, ', stallS: 30')}`)));
  writeFileSync(path.join(local, 'p.yaml'), pipelineText(local, 'q', { train: { kind: 'inline', records: train } }, stages('')));
  const workers = [0, 1].map(() => startWorker(t, name, 1500, [], URL, ['--pipelines', remote]));

  const { result, error } = await run(remote, 2);
  t.is(error, undefined, `${error?.message}\nworker logs:\n${workers.map((w) => w.log()).join('\n')}`);
  const ids = workers.map((w) => w.id);
  const ranOn = ['g0', 'g1'].map((id) => result.stages.find((s) => s.id === id)!.worker);
  t.true(ranOn.every((w) => w !== undefined && ids.includes(w)), `ran on ${ranOn.join(', ')}; workers ${ids.join(', ')}`);
  t.not(ranOn[0], ranOn[1], 'the two stages ran side by side on the two workers');
  t.deepEqual(['g0', 'g1'].map((id) => manifest(result.runDir, id).worker), ranOn, 'the manifests name the workers');
  t.is(result.stages.find((s) => s.id === 'rep')!.status, 'ran');
  t.is(manifest(result.runDir, 'rep').worker, undefined, 'the report ran here');

  const serial = await run(local, 1);
  t.is(serial.error, undefined);
  for (const i of [0, 1]) {
    const file = (runDir: string): string => path.join(runDir, `g${i}`, `grm${i}`, 'model.safetensors');
    t.is(sha(file(result.runDir)), sha(file(serial.result.runDir)), `g${i}: model.safetensors equals the local run's`);
    t.is(manifest(result.runDir, `g${i}`).configHash, manifest(serial.result.runDir, `g${i}`).configHash);
  }
  t.not(sha(path.join(result.runDir, 'g0/grm0/model.safetensors')), sha(path.join(result.runDir, 'g1/grm1/model.safetensors')), 'the two stages trained different models');
});

redisTest('a failing placed stage is reported with its worker\'s reason; an independent stage finishes; a refused job says why', async (t) => {
  const name = unique('stagefail');
  t.teardown(() => dropQueue(name));
  const dir = tempDir('gramr-place-fail-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', `name: g\nplugins: [./count.mjs]\nstages:
  - { stage: count-to, id: a, n: 300, to: left, failAt: 100, sleepMs: 400, placement: ${queueAt(name)} }
  - { stage: count-to, id: b, n: 300, to: right }
  - { stage: count-to, id: a2, n: 10, to: left2, after: left }
`);
  const worker = startWorker(t, name, 1500, [], URL, ['--pipelines', dir]);
  const r = await cliAsync(['run', 'p.yaml', '--jobs', '2', '--json'], dir);
  t.is(r.code, 1, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; stage?: string; process?: string; done?: number; error?: string; stages?: Array<{ id: string; status: string }> });
  t.like(events.find((e) => e.event === 'stage-start' && e.stage === 'a'), { process: 'queue' });
  const progress = events.filter((e) => e.event === 'progress' && e.stage === 'a').map((e) => e.done!);
  t.true(progress.length > 0 && progress.every((d) => d > 0 && d <= 101), `the worker's progress reached the runner: ${progress.join(', ')}`);
  const why = new RegExp(`stage "a" \\(placement queue "${name}" at redis://127\\.0\\.0\\.1:6379\\): on worker ${worker.id}: stage "a" \\(count-to\\) failed: failing on purpose at record 100`);
  t.regex(events.find((e) => e.event === 'stage-failed' && e.stage === 'a')?.error ?? '', why);
  t.regex(r.stderr, why);
  t.deepEqual(events.at(-1)!.stages!.map((s) => [s.id, s.status]), [['a', 'failed'], ['b', 'ran'], ['a2', 'not-run']]);
  t.true(existsSync(path.join(dir, 'runs/g/b/manifest.json')));
  t.false(existsSync(path.join(dir, 'runs/g/a/manifest.json')));

  // A pipeline outside the worker's --pipelines folders: the worker refuses it and the runner says so.
  const outside = tempDir('gramr-place-outside-');
  writeCountPlugin(outside);
  writeIn(outside, 'p.yaml', `name: o\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, id: a, n: 10, to: left, placement: ${queueAt(name)} }\n`);
  const refused = await run(outside, 1);
  t.regex(refused.error?.message ?? '', new RegExp(`on worker ${worker.id}: the pipeline file .*p\\.yaml is outside the folders this worker runs pipelines from \\(.*gramr work --pipelines DIR\\)`));
  t.false(existsSync(path.join(refused.result.runDir, 'a/left.jsonl')), 'nothing was written');
});

redisTest('a worker killed mid-stage: the runner gives up after stallS (no hang); a rerun resumes the stage on another worker', async (t) => {
  const name = unique('stagekill');
  t.teardown(() => dropQueue(name));
  const dir = tempDir('gramr-place-kill-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', `name: g\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, id: a, n: 600, to: left, gate: go, placement: ${queueAt(name, ', stallS: 3')} }\n`);
  const victim = startWorker(t, name, 1500, [], URL, ['--pipelines', dir]);
  const partial = path.join(dir, 'runs/g/a/left.jsonl.partial');
  const lines = (): number => (existsSync(partial) ? readFileSync(partial, 'utf8').split('\n').length - 1 : 0);
  const killer = (async () => {
    while (lines() < 300 && victim.proc.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    victim.proc.kill('SIGKILL');
  })();
  const t0 = Date.now();
  const first = await run(dir, 1);
  await killer;
  t.regex(first.error?.message ?? '', new RegExp(`its worker ${victim.id} sent no heartbeat for 3 s \\(it died or lost Redis\\); run again to resume`));
  t.true(Date.now() - t0 < 60_000, 'the runner gave up instead of waiting forever');
  const flushed = lines();
  t.true(flushed >= 300, `half the records were flushed before the kill (${flushed})`);

  writeFileSync(path.join(dir, 'go'), '');
  const survivor = startWorker(t, name, 1500, [], URL, ['--pipelines', dir]);
  const second = await run(dir, 1);
  t.is(second.error, undefined, survivor.log());
  t.is(second.result.stages[0]!.worker, survivor.id);
  const out = readFileSync(path.join(dir, 'runs/g/a/left.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
  t.deepEqual(out, Array.from({ length: 600 }, (_, i) => i), 'every record once, in order');
  const starts = readFileSync(path.join(dir, 'runs/g/a/events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; worker?: string })
    .filter((e) => e.type === 'stage-start');
  t.deepEqual(starts.map((e) => e.worker), [victim.id, survivor.id], 'the stage started on the victim and was resumed (not restarted clean) on the survivor');
});

redisTest('Ctrl-C of the runner stops the stage on its worker (the folder is kept); a rerun resumes it there', async (t) => {
  const name = unique('stageint');
  t.teardown(() => dropQueue(name));
  const dir = tempDir('gramr-place-int-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', `name: g\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, id: a, n: 600, to: left, gate: go, placement: ${queueAt(name)} }\n`);
  const worker = startWorker(t, name, 1500, [], URL, ['--pipelines', dir]);
  const partial = path.join(dir, 'runs/g/a/left.jsonl.partial');
  const lines = (): number => (existsSync(partial) ? readFileSync(partial, 'utf8').split('\n').length - 1 : 0);
  const child = cliSpawn(['run', 'p.yaml', '--json'], dir);
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  const exited = new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  const t0 = Date.now();
  while (lines() < 300 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
  t.true(lines() >= 300, 'the stage reached its gate on the worker');
  child.kill('SIGINT');
  t.is(await exited, 130);
  t.regex(stdout, /"id":"a","status":"not-run"/);
  // The worker sees the lock go and stops the stage: its job fails with that reason, and no more records come.
  const queue = new Queue(name, { connection: connectionFor(URL) });
  t.teardown(() => queue.close());
  let failed: string | undefined;
  for (let i = 0; i < 200 && failed === undefined; i++) {
    failed = (await queue.getFailed())[0]?.failedReason;
    if (failed === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  t.regex(failed ?? '', new RegExp(`on worker ${worker.id}: the run that queued it no longer holds .*runs/g \\(its lock is gone or taken over\\); the stage stopped and a rerun resumes it`));
  const kept = lines();
  writeFileSync(path.join(dir, 'go'), '');
  await new Promise((r) => setTimeout(r, 300));
  t.is(lines(), kept, 'nothing more was written after the stop, gate open or not');
  t.true(existsSync(path.join(dir, 'runs/g/a/attempt.json')), 'the interrupted attempt is kept');

  const again = await cliAsync(['run', 'p.yaml', '--json'], dir);
  t.is(again.code, 0, again.stderr);
  const out = readFileSync(path.join(dir, 'runs/g/a/left.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
  t.deepEqual(out, Array.from({ length: 600 }, (_, i) => i), 'every record once, in order');
  const types = readFileSync(path.join(dir, 'runs/g/a/events.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type)
    .filter((x) => x.startsWith('stage-'));
  t.deepEqual(types, ['stage-start', 'stage-error', 'stage-start', 'stage-end'], 'one interrupted attempt, then one resumed to the end');
});

redisTest('a worker killed mid-stage while another runs: the stalled job goes back to the queue and the other resumes it in the same run', async (t) => {
  const name = unique('stagestall');
  t.teardown(() => dropQueue(name));
  const dir = tempDir('gramr-place-stall-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', `name: g\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, id: a, n: 600, to: left, gate: go, placement: ${queueAt(name, ', stallS: 20')} }\n`);
  const workers = [0, 1].map(() => startWorker(t, name, 1500, [], URL, ['--pipelines', dir]));
  const events = path.join(dir, 'runs/g/a/events.jsonl');
  const partial = path.join(dir, 'runs/g/a/left.jsonl.partial');
  const lines = (): number => (existsSync(partial) ? readFileSync(partial, 'utf8').split('\n').length - 1 : 0);
  const finished = run(dir, 1);
  const t0 = Date.now();
  while (lines() < 300 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
  const first = (JSON.parse(readFileSync(events, 'utf8').split('\n').find((l) => l.includes('"stage-start"'))!) as { worker: string }).worker;
  const victim = workers.find((w) => w.id === first)!;
  const survivor = workers.find((w) => w.id !== first)!;
  victim.proc.kill('SIGKILL');
  writeFileSync(path.join(dir, 'go'), '');
  const { result, error } = await finished;
  t.is(error, undefined, `${error?.message}\n${survivor.log()}`);
  t.is(result.stages[0]!.worker, survivor.id);
  const out = readFileSync(path.join(dir, 'runs/g/a/left.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
  t.deepEqual(out, Array.from({ length: 600 }, (_, i) => i), 'every record once, in order');
  const starts = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; worker?: string }).filter((e) => e.type === 'stage-start');
  t.deepEqual(starts.map((e) => e.worker), [victim.id, survivor.id], 'started on the victim, resumed on the survivor');
});
