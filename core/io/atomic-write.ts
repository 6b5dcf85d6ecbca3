// Atomic file writes (checkpoints, tokenizer files, manifests, reports): write a temp file in the same folder,
// fsync, rename, fsync the folder. A crash mid-write leaves the old file (or
// none), never a partial one, and a full disk is a WorkError that leaves the old file in place.
import { mkdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { diskFullError, openFile, syncDir, writeAll, type OpenFile } from './file-io.js';

/** Receives an open file handle and writes the file's content through it. */
export type FileWriter = (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>;

/** Options of writeFileAtomic. */
export interface AtomicWriteOptions {
  /** How files and the folder are opened (tests inject failing or short writes here). */
  openFile?: OpenFile;
}

/** Write `path` atomically: the content goes to a temp file next to it, which is renamed over `path` when complete. */
export async function writeFileAtomic(path: string, content: Uint8Array | string | FileWriter, options: AtomicWriteOptions = {}): Promise<void> {
  const opener = options.openFile ?? openFile;
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fh: FileHandle | undefined = await opener(tmp, 'wx');
  try {
    const write = (chunk: Uint8Array): Promise<void> => writeAll(fh!, chunk);
    if (typeof content === 'string') await write(Buffer.from(content, 'utf8'));
    else if (content instanceof Uint8Array) await write(content);
    else await content(write);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw diskFullError(err, path, `nothing was written and the previous ${basename(path)} (if any) is unchanged`);
  }
  await syncDir(dir, opener);
}

/** Write `value` as pretty JSON atomically. */
export async function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, undefined, 2) + '\n', options);
}
