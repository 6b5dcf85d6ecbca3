// Content hashes follow symbolic links: a folder of links hashes as the files they point to (so a Hugging Face cache
// snapshot changes hash when its weights change), a link loop is hashed without hanging, and the queue workers'
// model identity sees the same.
import test from 'ava';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hashPath, sha256 } from '../../core/pipeline/hash.js';
import { modelIdentity } from '../../plugins/queue/job-model.js';

async function tmp(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gramr-hash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('two folders linking different weights hash differently, and as the files they point to', async (t) => {
  const dir = await tmp(t);
  await mkdir(path.join(dir, 'blobs'));
  await writeFile(path.join(dir, 'blobs', 'w1'), 'weights one');
  await writeFile(path.join(dir, 'blobs', 'w2'), 'weights two');
  for (const [name, target] of [['snap1', 'w1'], ['snap2', 'w2']] as const) {
    await mkdir(path.join(dir, name));
    await symlink(path.join(dir, 'blobs', target), path.join(dir, name, 'model.safetensors'));
  }
  await mkdir(path.join(dir, 'copy1'));
  await writeFile(path.join(dir, 'copy1', 'model.safetensors'), 'weights one');
  const [h1, h2, c1] = await Promise.all(['snap1', 'snap2', 'copy1'].map((n) => hashPath(path.join(dir, n))));
  t.not(h1, h2, 'different weights, different hashes');
  t.not(h1, sha256(''), 'not the hash of nothing');
  t.is(h1, c1, 'a link hashes as the file it points to');
  t.not(await modelIdentity(path.join(dir, 'snap1')), await modelIdentity(path.join(dir, 'snap2')));
  t.is(await modelIdentity(path.join(dir, 'snap1')), h1);
});

test('a linked folder is walked, a link loop and a dangling link are hashed by name without hanging', async (t) => {
  const dir = await tmp(t);
  await mkdir(path.join(dir, 'real', 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'real', 'sub', 'a.txt'), 'A');
  await mkdir(path.join(dir, 'linked'));
  await symlink(path.join(dir, 'real', 'sub'), path.join(dir, 'linked', 'sub'));
  t.is(await hashPath(path.join(dir, 'linked')), await hashPath(path.join(dir, 'real')), 'a folder link is followed');
  await symlink(path.join(dir, 'real'), path.join(dir, 'real', 'sub', 'back')); // real/sub/back -> real: a loop
  await symlink(path.join(dir, 'nowhere'), path.join(dir, 'real', 'gone'));
  const h = await hashPath(path.join(dir, 'real'));
  t.regex(h, /^[0-9a-f]{64}$/);
  t.regex(await modelIdentity(path.join(dir, 'real')), /^[0-9a-f]{64}$/);
  await writeFile(path.join(dir, 'real', 'sub', 'a.txt'), 'B');
  t.not(await hashPath(path.join(dir, 'real')), h, 'content behind the loop still counts');
});
