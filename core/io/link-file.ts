// Sharing identical files between stage folders instead of copying them: a hard link (one copy on disk, however
// many stages publish it), else — across file systems or where links are refused — a copy that is a reflink where
// the file system can (copy-on-write), else a plain copy. Safe because gramr never writes into a published file:
// every write is a new file renamed into place, which replaces the link, not the shared data.
import { constants } from 'node:fs';
import { copyFile, link, rm } from 'node:fs/promises';

/** How a file was placed. */
export type Placement = 'linked' | 'copied';

/** Place `src` at `dst` (replacing `dst`): a hard link, else a (reflink-if-possible) copy. */
export async function linkOrCopy(src: string, dst: string): Promise<Placement> {
  await rm(dst, { force: true });
  try {
    await link(src, dst);
    return 'linked';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw e;
    await copyFile(src, dst, constants.COPYFILE_FICLONE);
    return 'copied';
  }
}
