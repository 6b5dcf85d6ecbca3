// Shared helpers of the queue tests: the loopback Redis check (tests skip, saying why, when none answers), unique
// queue names, `gramr work` child processes, a watcher that SIGKILLs a worker once it has written a result, reading
// and dropping one queue's keys (only that queue's). Not a test file.
import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { connectionFor, decodeResult } from '../../plugins/queue/job-model.js';

/** The Redis the tests use. */
export const URL = 'redis://127.0.0.1:6379';

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
const REQUIRED = process.env.GRAMR_REQUIRE_REDIS === '1';
const SKIP = `skipped: no Redis server answers at ${URL} (install redis-server and start it: redis-server --port 6379 --daemonize yes; .ci/run starts one)`;
if (!up) console.log(`test/queue: ${SKIP}`);

/**
 * A serial test that needs Redis; skipped with the reason when none answers, or failed when GRAMR_REQUIRE_REDIS=1
 * (CI installs Redis, so a skip there would hide that the queue tests never ran).
 */
export function redisTest(title: string, fn: (t: ExecutionContext) => Promise<void>): void {
  if (up) test.serial(title, fn);
  else if (REQUIRED) test.serial(title, (t) => { t.fail(`GRAMR_REQUIRE_REDIS=1 but no Redis server answers at ${URL}`); });
  else test.skip(`${title} — ${SKIP}`, fn);
}

/** Whether Redis answered (for before hooks). */
export const redisUp = up;

/** A queue name no other test (or run) uses. */
export function unique(tag: string): string {
  return `gramr-test-${tag}-${process.pid}-${Date.now()}`;
}

/** Removes every job of queue `name` and every `gramr:<name>:*` key (its results). */
export async function dropQueue(name: string): Promise<void> {
  const q = new Queue(name, { connection: connectionFor(URL) });
  await q.obliterate({ force: true });
  await q.close();
  const r = new Redis(URL);
  const keys = await r.keys(`gramr:${name}:*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
}

/** Every stored result of queue `name`, over all job specs: item key -> result (with its `worker`). */
export async function storedResults(redis: Redis, name: string): Promise<Map<string, { worker: string }>> {
  const out = new Map<string, { worker: string }>();
  for (const key of await redis.keys(`gramr:${name}:results:*`)) {
    for (const [field, value] of Object.entries(await redis.hgetall(key))) out.set(`${key}|${field}`, decodeResult<{ worker: string }>(value));
  }
  return out;
}

/** A started `gramr work` process with its stderr and its worker id (`host:pid`). */
export interface WorkerProc {
  /** The child process. */
  proc: ChildProcess;
  /** What it wrote to stderr so far. */
  log: () => string;
  /** The `worker` field its results carry. */
  id: string;
}

/**
 * Starts `gramr work` on queue `name` (job lock `lockMs`) opening models from `models` (default: the temporary folder,
 * where the tests' runs train their models, and the repository), with `extra` arguments (e.g. --pipelines DIR);
 * killed at teardown if still running.
 */
export function startWorker(t: ExecutionContext, name: string, lockMs = 1500, models: readonly string[] = [tmpdir(), process.cwd()], redisUrl = URL,
  extra: readonly string[] = []): WorkerProc {
  const roots = models.flatMap((m) => ['--models', m]);
  const proc = spawn(process.execPath, ['dist/cli/main.js', 'work', '--redis', redisUrl, '--queue', name, '--lock-ms', String(lockMs), '--backend', 'cpu', ...roots, ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  t.teardown(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  return { proc, log: () => log, id: `${hostname()}:${proc.pid}` };
}

/** SIGKILLs `victim` as soon as a result it wrote is in Redis; `atKill()` is how many results were stored then. */
export function killOnFirstResult(redis: Redis, name: string, victim: WorkerProc): { atKill: () => number | undefined; stop: () => void } {
  let atKill: number | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (atKill !== undefined || busy) return;
    busy = true;
    void storedResults(redis, name).then((all) => {
      if (atKill === undefined && [...all.values()].some((r) => r.worker === victim.id)) {
        atKill = all.size;
        victim.proc.kill('SIGKILL');
      }
    }).finally(() => { busy = false; });
  }, 5);
  return { atKill: () => atKill, stop: () => clearInterval(timer) };
}
