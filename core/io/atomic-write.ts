// Atomic file writes (checkpoints, tokenizer files, manifests, reports): write a temp file in the same folder,
// fsync, rename. Relies only on node:fs/promises; a crash mid-write leaves the old file (or none), never a partial one.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Receives an open file handle and writes the file's content through it. */
export type FileWriter = (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>;

/** Write `path` atomically: the content goes to a temp file next to it, which is renamed over `path` when complete. */
export async function writeFileAtomic(path: string, content: Uint8Array | string | FileWriter): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx');
  try {
    const write = async (chunk: Uint8Array): Promise<void> => {
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done);
        done += bytesWritten;
      }
    };
    if (typeof content === 'string') await write(Buffer.from(content, 'utf8'));
    else if (content instanceof Uint8Array) await write(content);
    else await content(write);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Write `value` as pretty JSON atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, undefined, 2) + '\n');
}
