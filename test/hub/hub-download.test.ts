// Models by Hub id against the loopback mock Hub: first download into the Python cache layout, a cached re-run
// with no request, sharded weights, resume after a cut, a corrupt transfer refused, offline mode, gated and missing
// repos, and a cache folder built by hand the way the Python client lays it out.
import test from 'ava';
import { existsSync, lstatSync, readFileSync, readlinkSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../core/model/checkpoint/index.js';
import { HubError, resolveHubFile, resolveModelPath, resolveTokenizerPath, type DownloadEvent, type HubSettings } from '../../core/hub/index.js';
import { commitId, gitBlobId, MockHub, sha256 } from './mock-hub.js';
import { shardedModelFiles, tinyModelFiles, type RepoFiles } from './tiny-hub-model.js';

let hub: MockHub;
let model: RepoFiles;
let sharded: RepoFiles;

test.before(async () => {
  model = await tinyModelFiles();
  sharded = await shardedModelFiles();
  hub = new MockHub();
  hub.add('model', 'acme/tiny', model);
  hub.add('model', 'acme/sharded', sharded);
  hub.add('model', 'acme/gated', model, { token: 'hf_right' });
  hub.add('model', 'acme/resume', model);
  hub.add('model', 'acme/corrupt', model);
  hub.add('dataset', 'acme/bench', { 'data/test.jsonl': Buffer.from('{"a":1}\n') });
  await hub.start();
});
test.after.always(async () => { await hub.close(); });

async function settings(extra: Partial<HubSettings> = {}): Promise<HubSettings> {
  return { endpoint: hub.endpoint, offline: false, refresh: false, cacheDir: await mkdtemp(join(tmpdir(), 'gramr-hub-cache-')), ...extra };
}
const quiet = (): void => {};
function requestsFor(repo: string): number {
  return hub.requests.filter((r) => r.path.includes(`/${repo}/`)).length;
}

test.serial('first download: the Python cache layout, relative symlinks into blobs named by etag, refs/main', async (t) => {
  const s = await settings();
  const events: DownloadEvent[] = [];
  const dir = await resolveModelPath('acme/tiny', { settings: s, onProgress: (e) => events.push(e) });
  const folder = join(s.cacheDir, 'models--acme--tiny');
  const commit = hub.repos.get('model:acme/tiny')!.commit;
  t.is(dir, join(folder, 'snapshots', commit));
  t.is(readFileSync(join(folder, 'refs', 'main'), 'utf8'), commit);
  t.deepEqual(readdirSync(dir).sort(), Object.keys(model).sort());
  for (const [name, data] of Object.entries(model)) {
    const etag = name.endsWith('.safetensors') ? sha256(data) : gitBlobId(data);
    t.true(lstatSync(join(dir, name)).isSymbolicLink(), name);
    t.is(readlinkSync(join(dir, name)), `../../blobs/${etag}`, name);
    t.deepEqual(readFileSync(join(dir, name)), data, name);
  }
  // The weights went through the CDN redirect; progress reported bytes of the whole file.
  t.true(hub.requests.some((r) => r.method === 'GET' && r.path === `/cdn/${sha256(model['model.safetensors']!)}`));
  const last = events.filter((e) => e.file === 'model.safetensors').at(-1)!;
  t.is(last.done, true);
  t.is(last.bytes, model['model.safetensors']!.length);
  t.is(last.total, model['model.safetensors']!.length);
  // The loader reads the snapshot like any local folder, and by id.
  const local = await loadCheckpoint(dir);
  t.is(local.config.hiddenSize, 16);
});

test.serial('a cached re-run makes no request; a commit-pinned id too', async (t) => {
  const s = await settings();
  const first = await resolveModelPath('acme/tiny', { settings: s, onProgress: quiet });
  const before = hub.requests.length;
  t.is(await resolveModelPath('acme/tiny', { settings: s, onProgress: quiet }), first);
  const commit = hub.repos.get('model:acme/tiny')!.commit;
  t.is(await resolveModelPath(`hf://acme/tiny@${commit}`, { settings: s, onProgress: quiet }), first);
  t.is(hub.requests.length, before);
});

test.serial('sharded weights: the index and every shard it names', async (t) => {
  const s = await settings();
  const dir = await resolveModelPath('acme/sharded', { settings: s, onProgress: quiet });
  t.deepEqual(readdirSync(dir).sort(), Object.keys(sharded).sort());
  const commit = hub.repos.get('model:acme/sharded')!.commit;
  // The single-file name was asked for once and is remembered as absent, as Python does.
  t.true(existsSync(join(s.cacheDir, 'models--acme--sharded', '.no_exist', commit, 'model.safetensors')));
  const before = hub.requests.length;
  const a = await loadCheckpoint(await resolveModelPath('acme/sharded', { settings: s, onProgress: quiet }));
  t.is(hub.requests.length, before);
  const b = await loadCheckpoint(await resolveModelPath('acme/tiny', { settings: await settings(), onProgress: quiet }));
  t.deepEqual([...a.weights.keys()].sort(), [...b.weights.keys()].sort());
  for (const [k, w] of b.weights) t.deepEqual(a.weights.get(k)!.data, w.data, k);
});

test.serial('a download cut mid-file resumes from the .incomplete file with a Range request', async (t) => {
  const s = await settings();
  const weights = model['model.safetensors']!;
  const sha = sha256(weights);
  const cut = Math.floor(weights.length / 3);
  hub.cutAfter.set(sha, cut);
  const err = await t.throwsAsync(resolveModelPath('acme/resume', { settings: s, onProgress: quiet }), { instanceOf: HubError });
  t.is(err!.kind, 'network');
  t.regex(err!.message, /run the command again to resume/);
  const partial = join(s.cacheDir, 'models--acme--resume', 'blobs', `${sha}.incomplete`);
  const have = readFileSync(partial).length;
  t.true(have > 0 && have <= cut, `partial file holds ${have} bytes`);
  const dir = await resolveModelPath('acme/resume', { settings: s, onProgress: quiet });
  const gets = hub.requests.filter((r) => r.method === 'GET' && r.path === `/cdn/${sha}`);
  t.is(gets.at(-1)!.range, `bytes=${have}-`);
  t.deepEqual(readFileSync(join(dir, 'model.safetensors')), weights);
  t.false(existsSync(partial));
});

test.serial('a corrupt transfer is refused: clear error, nothing added to the cache', async (t) => {
  const s = await settings();
  const sha = sha256(model['model.safetensors']!);
  hub.corrupt.add(sha);
  try {
    const err = await t.throwsAsync(resolveModelPath('acme/corrupt', { settings: s, onProgress: quiet }), { instanceOf: HubError });
    t.is(err!.kind, 'corrupt');
    t.regex(err!.message, /acme\/corrupt: the downloaded model\.safetensors is corrupt \(sha256 [0-9a-f]{64} where the Hub's etag is [0-9a-f]{64}\)/);
    const blobs = join(s.cacheDir, 'models--acme--corrupt', 'blobs');
    t.false(existsSync(join(blobs, sha)));
    t.false(existsSync(join(blobs, `${sha}.incomplete`)));
    t.false(existsSync(join(s.cacheDir, 'models--acme--corrupt', 'snapshots', hub.repos.get('model:acme/corrupt')!.commit, 'model.safetensors')));
  } finally {
    hub.corrupt.delete(sha);
  }
});

test.serial('offline: the cache only, no request; a miss names the repo, the file and the cache folder', async (t) => {
  const s = await settings();
  const dir = await resolveModelPath('acme/tiny', { settings: s, onProgress: quiet });
  const before = hub.requests.length;
  t.is(await resolveModelPath('acme/tiny', { settings: { ...s, offline: true }, onProgress: quiet }), dir);
  const err = await t.throwsAsync(resolveModelPath('acme/sharded', { settings: { ...s, offline: true }, onProgress: quiet }), { instanceOf: HubError });
  t.is(err!.kind, 'offline');
  t.true(err!.message.includes('HF_HUB_OFFLINE is set and the cache lacks config.json of acme/sharded'), err!.message);
  t.true(err!.message.includes(join(s.cacheDir, 'models--acme--sharded')), err!.message);
  t.is(hub.requests.length, before);
});

test.serial('a cache folder built by hand in the Python layout is used, online and offline, with no request', async (t) => {
  const s = await settings();
  const commit = commitId('hand-built');
  const folder = join(s.cacheDir, 'models--someone--python-made');
  await mkdir(join(folder, 'blobs'), { recursive: true });
  await mkdir(join(folder, 'snapshots', commit), { recursive: true });
  await mkdir(join(folder, 'refs'), { recursive: true });
  await writeFile(join(folder, 'refs', 'main'), commit);
  for (const [name, data] of Object.entries(model)) {
    const etag = name.endsWith('.safetensors') ? sha256(data) : gitBlobId(data);
    await writeFile(join(folder, 'blobs', etag), data);
    await symlink(`../../blobs/${etag}`, join(folder, 'snapshots', commit, name));
  }
  const before = hub.requests.length;
  for (const offline of [false, true]) {
    const dir = await resolveModelPath('someone/python-made', { settings: { ...s, offline }, onProgress: quiet });
    t.is(dir, join(folder, 'snapshots', commit));
    t.is((await loadCheckpoint(dir)).config.vocabSize, (await loadCheckpoint(join(folder, 'snapshots', commit, 'config.json'))).config.vocabSize);
  }
  t.is(hub.requests.length, before);
});

test.serial('gated repo: 401 names the repo, the license page and HF_TOKEN; the right token gets through', async (t) => {
  const s = await settings();
  const err = await t.throwsAsync(resolveModelPath('acme/gated', { settings: s, onProgress: quiet }), { instanceOf: HubError });
  t.is(err!.kind, 'gated');
  t.is(err!.message, `acme/gated is a gated repo (HTTP 401, HF_TOKEN is not set): accept its license at ${hub.endpoint}/acme/gated ` +
    'while logged in, then set HF_TOKEN to an access token of that account');
  const wrong = await t.throwsAsync(resolveModelPath('acme/gated', { settings: { ...s, token: 'hf_wrong' }, onProgress: quiet }), { instanceOf: HubError });
  t.regex(wrong!.message, /the HF_TOKEN that was sent was refused/);
  const dir = await resolveModelPath('acme/gated', { settings: { ...s, token: 'hf_right' }, onProgress: quiet });
  t.deepEqual(readFileSync(join(dir, 'model.safetensors')), model['model.safetensors']);
  // The token is sent to the endpoint's origin (the mock's CDN path shares it; a CDN on another host gets none).
  t.true(hub.requests.filter((r) => r.path.startsWith('/acme/gated/')).some((r) => r.authorization === 'Bearer hf_right'));
});

test.serial('missing repo, revision or file: errors that say what to check', async (t) => {
  const s = await settings();
  const repo = await t.throwsAsync(resolveModelPath('acme/no-such-model', { settings: s, onProgress: quiet }), { instanceOf: HubError });
  t.is(repo!.message, `acme/no-such-model: no such model repo on ${hub.endpoint} (HTTP 404): check the id (owner/name; datasets are hf://datasets/owner/name); no local file or folder "acme/no-such-model" exists either`);
  const rev = await t.throwsAsync(resolveModelPath('acme/tiny@v9', { settings: s, onProgress: quiet }), { instanceOf: HubError });
  t.is(rev!.message, `acme/tiny has no revision "v9" on ${hub.endpoint}: check the @revision (a branch, tag or commit)`);
  const file = await t.throwsAsync(resolveHubFile('hf://datasets/acme/bench/data/train.jsonl', { settings: s, onProgress: quiet }), { instanceOf: HubError });
  t.is(file!.message, `datasets/acme/bench has no file data/train.jsonl (${hub.endpoint}/datasets/acme/bench)`);
  t.is(requestsFor('no-such-model'), 1);
});

test.serial('hf://datasets/owner/name/file resolves to the cached file; local paths and non-ids pass through', async (t) => {
  const s = await settings();
  const p = await resolveHubFile('hf://datasets/acme/bench/data/test.jsonl', { settings: s, onProgress: quiet });
  t.is(p, join(s.cacheDir, 'datasets--acme--bench', 'snapshots', hub.repos.get('dataset:acme/bench')!.commit, 'data', 'test.jsonl'));
  t.is(readFileSync(p, 'utf8'), '{"a":1}\n');
  t.is(readlinkSync(p), `../../../blobs/${gitBlobId(Buffer.from('{"a":1}\n'))}`);
  t.is(await resolveModelPath('./no/such/dir/here', { settings: s }), './no/such/dir/here');
  t.is(await resolveModelPath(process.cwd(), { settings: s }), process.cwd());
});

test.serial('a tokenizer by Hub id fetches tokenizer.json and tokenizer_config.json, not the weights', async (t) => {
  const s = await settings();
  const before = hub.requests.length;
  const dir = await resolveTokenizerPath('acme/tiny', { settings: s, onProgress: quiet });
  t.deepEqual(readdirSync(dir).sort(), ['tokenizer.json', 'tokenizer_config.json']);
  t.deepEqual(readFileSync(join(dir, 'tokenizer.json')), model['tokenizer.json']);
  t.false(hub.requests.slice(before).some((r) => r.path.startsWith('/cdn/') || r.path.endsWith('.safetensors')));
});
