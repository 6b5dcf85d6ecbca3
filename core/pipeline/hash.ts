// Hashing for the runner's skip/resume decisions: canonical JSON of options, and content hashes of files
// and folders (streamed, so large files never sit in memory). Symbolic links are followed (a Hugging Face cache
// snapshot is all links), with a guard against links that loop back to a folder being walked.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';

/** JSON with object keys sorted, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return v;
  });
}

/** sha256 hex of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 hex of a file's content, streamed. */
export async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** One entry of a folder tree as `walkTree` yields it. */
export interface TreeEntry {
  /** Path relative to the root, "/"-separated. */
  rel: string;
  /** Path on disk (through any links). */
  abs: string;
  /**
   * What the entry is once links are followed: a regular file (with its stats), a link that points nowhere, or a
   * link back to a folder already being walked (a loop, not followed again).
   */
  kind: 'file' | 'dangling' | 'loop';
  /** The followed stats of a file. */
  stat?: Stats;
}

/**
 * The files under `root` in sorted order, following symbolic links to files and folders. A link to a folder that
 * is already on the path being walked is reported as a `loop` instead of being followed; a link to nothing is
 * reported as `dangling`. Sockets, fifos and devices are left out.
 */
export async function walkTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const walk = async (dir: string, rel: string, ancestors: ReadonlySet<string>): Promise<void> => {
    const names = (await fs.readdir(dir)).sort((x, y) => x.localeCompare(y));
    for (const name of names) {
      const abs = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      let st: Stats;
      try {
        st = await fs.stat(abs);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ELOOP') { out.push({ rel: r, abs, kind: 'dangling' }); continue; }
        throw e;
      }
      if (st.isDirectory()) {
        const real = await fs.realpath(abs);
        if (ancestors.has(real)) { out.push({ rel: r, abs, kind: 'loop' }); continue; }
        await walk(abs, r, new Set([...ancestors, real]));
      } else if (st.isFile()) out.push({ rel: r, abs, kind: 'file', stat: st });
    }
  };
  await walk(root, '', new Set([await fs.realpath(root)]));
  return out;
}

/**
 * sha256 over a file or a folder tree (relative names + contents, in sorted order). Links are followed and hashed
 * as what they point to; a dangling link or a loop enters the hash as its name and kind.
 */
export async function hashPath(p: string): Promise<string> {
  const st = await fs.stat(p);
  if (st.isFile()) return hashFile(p);
  const h = createHash('sha256');
  for (const e of await walkTree(p)) {
    h.update(e.kind === 'file' ? `${e.rel}\0${await hashFile(e.abs)}\n` : `${e.rel}\0${e.kind}\n`);
  }
  return h.digest('hex');
}
