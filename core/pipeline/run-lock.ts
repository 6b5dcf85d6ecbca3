// The lock of a run folder (`runs/<name>/.lock`): one `gramr run` at a time per run folder. The lock is created
// atomically (the holder's JSON is written to a private file, then hard-linked to `.lock`, which fails if it exists),
// so a reader never sees a half-written holder. A lock left by a dead process on this host is taken over by renaming
// it away (atomic: exactly one contender wins) and re-checking what was renamed; a live or remote holder is refused.
// When only the runner died (kill -9) and its stage processes are still exiting, a new run waits for them first.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GramrError } from '../errors.js';

/** Who holds a run folder. */
export interface LockHolder {
  /** Process id of the holding `gramr run`. */
  pid: number;
  /** Host name it runs on. */
  host: string;
  /** When it took the lock (ISO 8601). */
  started: string;
  /** A random token telling this holder from an earlier one with a reused pid. */
  token: string;
  /** Pids of its stage processes: the lock is stale only when they are gone too. */
  helpers?: number[];
}

/** How long a new run waits for the stage processes of a killed runner to notice and exit. */
const ORPHAN_WAIT_MS = 30_000;

/** A held lock; `release()` removes it if it is still ours. */
export interface RunLock {
  /** The lock file. */
  file: string;
  /** What the lock file says. */
  holder: LockHolder;
  /** Record the pids of the stage processes now running (replaces the lock file atomically). */
  setHelpers(pids: number[]): Promise<void>;
  /** Remove the lock file (only when it still names this holder). */
  release(): Promise<void>;
}

/** The run folder is being run by another process. Exit code 3 tells "busy" from a failed run. */
export class RunFolderBusyError extends GramrError {
  constructor(runDir: string, holder: LockHolder | undefined, file: string) {
    const who = holder ? `pid ${holder.pid} on ${holder.host}, started ${holder.started}` : 'a holder whose lock file cannot be read';
    super(`run folder ${runDir} is in use by another gramr run (${who}); wait for it to finish, or, if that process is gone, remove ${file}`, 3);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

async function readHolder(file: string): Promise<{ holder?: LockHolder; text?: string }> {
  try {
    const text = await fs.readFile(file, 'utf8');
    return { holder: JSON.parse(text) as LockHolder, text };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { text: '' };
  }
}

/** True when `holder` was on this host and neither it nor any of its stage processes exists any more. */
function isStale(holder: LockHolder | undefined): boolean {
  if (holder === undefined || holder.host !== os.hostname() || !Number.isInteger(holder.pid)) return false;
  return [holder.pid, ...(holder.helpers ?? [])].every((pid) => !isAlive(pid));
}

/** The holder's runner is gone but stage processes of it still run (they exit when they notice). */
function isOrphaned(holder: LockHolder | undefined): boolean {
  return holder !== undefined && holder.host === os.hostname() && Number.isInteger(holder.pid) && !isAlive(holder.pid)
    && (holder.helpers ?? []).some(isAlive);
}

/** Wait up to `ms` for the orphaned stage processes of a dead runner to exit. */
async function awaitOrphans(holder: LockHolder, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && (holder.helpers ?? []).some(isAlive)) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Take the lock of `runDir` (which must exist), or throw RunFolderBusyError naming the holder. A stale lock (its
 * process is dead and was on this host) is taken over; one on another host is never presumed dead.
 */
export async function acquireRunLock(runDir: string): Promise<RunLock> {
  const file = path.join(runDir, '.lock');
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), token: Math.random().toString(36).slice(2) };
  const text = JSON.stringify(holder) + '\n';
  const mine = path.join(runDir, `.lock.${process.pid}.${holder.token}`);
  await fs.writeFile(mine, text, { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await fs.link(mine, file);
        return heldLock(file, holder, text);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = await readHolder(file);
      if (seen.text === undefined) continue; // released meanwhile: try again
      if (isOrphaned(seen.holder)) await awaitOrphans(seen.holder!, ORPHAN_WAIT_MS);
      if (!isStale(seen.holder)) throw new RunFolderBusyError(runDir, seen.holder, file);
      await breakStaleLock(file, seen.text, runDir, holder.token);
    }
    const last = await readHolder(file);
    throw new RunFolderBusyError(runDir, last.holder, file);
  } finally {
    await fs.rm(mine, { force: true });
  }
}

/** Move a stale lock away; if what was moved turns out to be a fresh lock (a race), put it back. */
async function breakStaleLock(file: string, staleText: string, runDir: string, token: string): Promise<void> {
  const aside = path.join(runDir, `.lock.stale.${process.pid}.${token}`);
  try {
    await fs.rename(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // another contender moved it first
    throw e;
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleText) await fs.link(aside, file).catch(() => {}); // a live holder's lock: restore it
  await fs.rm(aside, { force: true });
}

function heldLock(file: string, holder: LockHolder, first: string): RunLock {
  let text = first;
  let queue: Promise<void> = Promise.resolve(); // lock file updates, one at a time
  const stillMine = async (): Promise<boolean> => (await fs.readFile(file, 'utf8').catch(() => undefined)) === text;
  const writeHelpers = async (pids: number[]): Promise<void> => {
    if (!(await stillMine())) return;
    const next = JSON.stringify({ ...holder, helpers: pids }) + '\n';
    const tmp = `${file}.${process.pid}.${holder.token}.next`;
    await fs.writeFile(tmp, next);
    await fs.rename(tmp, file);
    text = next;
  };
  return {
    file, holder,
    setHelpers(pids) {
      queue = queue.then(() => writeHelpers(pids));
      return queue;
    },
    async release() {
      await queue.catch(() => {});
      if (await stillMine()) await fs.rm(file, { force: true });
    },
  };
}
