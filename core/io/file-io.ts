// Low-level file writing shared by the atomic writer and the record writer: writing a whole buffer through short
// writes, fsyncing a folder after a rename so the rename survives a power cut, and turning a full disk (ENOSPC,
// EDQUOT) into an error that says what was kept. `OpenFile` is the seam tests use to inject failing writes.
import { open, type FileHandle } from 'node:fs/promises';
import { WorkError } from '../errors.js';

/** Opens a file (node's fs/promises `open`, or a test's wrapper of it). */
export type OpenFile = (path: string, flags: string) => Promise<FileHandle>;

/** Node's own `open`. */
export const openFile: OpenFile = (path, flags) => open(path, flags);

/** Write all of `data` through `fh` at its current position (append mode: at the end), looping over short writes. */
export async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.byteLength) {
    const { bytesWritten } = await fh.write(data, done, data.byteLength - done);
    if (bytesWritten <= 0) throw new Error(`write made no progress after ${done} of ${data.byteLength} bytes`);
    done += bytesWritten;
  }
}

/**
 * fsync the folder `dir`, so that renames and new names in it are on disk. Platforms and file systems that cannot
 * open or sync a folder (Windows: EISDIR/EPERM; some network file systems: EINVAL) are skipped: there the rename
 * is as durable as the platform allows.
 */
export async function syncDir(dir: string, opener: OpenFile = openFile): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await opener(dir, 'r');
  } catch (e) {
    if (isUnsupported(e)) return;
    throw e;
  }
  try {
    await fh.sync();
  } catch (e) {
    if (!isUnsupported(e)) throw e;
  } finally {
    await fh.close();
  }
}

function isUnsupported(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'ENOTSUP' || code === 'EBADF';
}

/** Whether `e` is a full disk or an exhausted quota. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * `e` as a clear WorkError when it is a full disk or quota (`file`: what was being written; `kept`: what is still
 * intact, said to the user), else `e` unchanged.
 */
export function diskFullError(e: unknown, file: string, kept: string): unknown {
  if (!isDiskFull(e)) return e;
  const what = (e as NodeJS.ErrnoException).code === 'EDQUOT' ? 'the disk quota is exceeded (EDQUOT)' : 'the disk is full (ENOSPC)';
  return new WorkError(`${file}: ${what}; ${kept}. Free some space and run again.`, { cause: e });
}
