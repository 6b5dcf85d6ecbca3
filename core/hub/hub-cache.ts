// The Hub cache in the layout the Python huggingface_hub writes, so both share one folder:
//   <cache>/models--owner--name/{blobs/<etag>, snapshots/<commit>/<file> -> ../../blobs/<etag>, refs/<revision>,
//   .no_exist/<commit>/<file>} (datasets--owner--name/ for datasets). Snapshot entries are relative symlinks.
import { existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic-write.js';
import { dirname, join, relative } from 'node:path';
import { getRepoFolderName } from '@huggingface/hub';
import { isCommitHash, type HubRepoType } from './hub-id.js';

/** The folder of one repo in the cache. */
export function repoFolder(cacheDir: string, type: HubRepoType, repo: string): string {
  return join(cacheDir, getRepoFolderName({ type, name: repo }));
}

/** The snapshot folder of `commit`. */
export function snapshotDir(folder: string, commit: string): string {
  return join(folder, 'snapshots', commit);
}

/** The path of a blob (named by its etag: sha256 for LFS files, the git blob id otherwise). */
export function blobPath(folder: string, etag: string): string {
  return join(folder, 'blobs', etag);
}

/** The commit a revision points to in the cache: the revision itself for a commit hash, else refs/<revision>. */
export async function cachedCommit(folder: string, revision: string): Promise<string | undefined> {
  if (isCommitHash(revision)) return revision;
  const text = await readFile(join(folder, 'refs', revision), 'utf8').catch(() => undefined);
  const commit = text?.trim();
  return commit !== undefined && isCommitHash(commit) ? commit : undefined;
}

/** Record that `revision` points to `commit` (refs/<revision>; nothing for a commit hash). */
export async function writeRef(folder: string, revision: string, commit: string): Promise<void> {
  if (isCommitHash(revision)) return;
  const file = join(folder, 'refs', revision);
  if ((await readFile(file, 'utf8').catch(() => undefined))?.trim() === commit) return;
  await writeFileAtomic(file, commit);
}

/** What the cache knows of `file` at `commit`: its path, that the repo lacks it (.no_exist), or nothing. */
export async function cachedFile(folder: string, commit: string, file: string): Promise<{ state: 'present'; path: string } | { state: 'absent' | 'unknown' }> {
  const p = join(snapshotDir(folder, commit), file);
  if (await stat(p).then((s) => s.isFile(), () => false)) return { state: 'present', path: p };
  if (existsSync(join(folder, '.no_exist', commit, file))) return { state: 'absent' };
  return { state: 'unknown' };
}

/** Point snapshots/<commit>/<file> at blobs/<etag> with a relative symlink (a copy where symlinks fail). */
export async function linkSnapshotFile(folder: string, commit: string, file: string, etag: string): Promise<string> {
  const dst = join(snapshotDir(folder, commit), file);
  const src = blobPath(folder, etag);
  await mkdir(dirname(dst), { recursive: true });
  if (await lstat(dst).then(() => true, () => false)) await rm(dst, { force: true });
  try {
    await symlink(relative(dirname(dst), src), dst);
  } catch {
    // Filesystems without symlinks (some Windows setups): Python copies the blob too.
    await copyFile(src, dst);
  }
  return dst;
}

/** Mark `file` as absent from the repo at `commit` (.no_exist/<commit>/<file>, as Python does). */
export async function markAbsent(folder: string, commit: string, file: string): Promise<void> {
  const p = join(folder, '.no_exist', commit, file);
  await mkdir(dirname(p), { recursive: true });
  await writeFile(p, '');
}
