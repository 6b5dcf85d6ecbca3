// One file from the Hub, the way the Python client fetches it: a HEAD on /{repo}/resolve/{rev}/{file} (redirects
// not followed) gives the commit (x-repo-commit), the etag (X-Linked-Etag for LFS files, else ETag) and the size;
// then a GET of the redirect target into blobs/<etag>.incomplete, resumed with a Range request when a partial file
// is there, checked against the size and the etag (sha256, or the git blob id) before it is renamed into place.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { formatHubRef } from './hub-id.js';
import { HubError, httpError, type RepoLabel } from './hub-error.js';
import type { HubSettings } from './hub-settings.js';
import type { DownloadListener } from './download-progress.js';

/** What the Hub says of one file. */
export interface RemoteFile {
  /** The commit the revision resolved to. */
  commit: string;
  /** The blob name: sha256 of an LFS file, git blob id of a regular one. */
  etag: string;
  /** Size in bytes. */
  size: number;
  /** Where to GET the bytes (the redirect target, or the resolve URL). */
  url: string;
}

/** The resolve URL of `file` at `revision`. */
export function resolveUrl(s: HubSettings, r: RepoLabel, revision: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${s.endpoint}/${r.type === 'dataset' ? 'datasets/' : ''}${r.repo}/resolve/${encodeURIComponent(revision)}/${path}`;
}

function authHeaders(s: HubSettings, url: string): Record<string, string> {
  return s.token !== undefined && new URL(url).origin === new URL(s.endpoint).origin ? { authorization: `Bearer ${s.token}` } : {};
}

async function request(s: HubSettings, r: RepoLabel, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, headers: { ...authHeaders(s, url), ...(init.headers as Record<string, string> | undefined) } });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new HubError('network', `${formatHubRef(r)}: cannot reach ${s.endpoint} (${cause?.code ?? cause?.message ?? (e as Error).message}): check the ` +
      'connection or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use the cache only', { cause: e });
  }
}

/** Strip W/ and quotes from an etag. */
function normalizeEtag(v: string): string {
  return v.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** HEAD `file` at `revision`; undefined when the repo has no such file (404 EntryNotFound). */
export async function headFile(s: HubSettings, r: RepoLabel, revision: string, file: string): Promise<RemoteFile | undefined> {
  let url = resolveUrl(s, r, revision, file);
  for (let hops = 0; ; hops++) {
    const res = await request(s, r, url, { method: 'HEAD', redirect: 'manual', headers: { 'accept-encoding': 'identity' } });
    const h = res.headers;
    const location = h.get('location');
    // Relative redirects (a renamed repo) are followed; an absolute one goes to the CDN: its target is the GET URL.
    if (res.status >= 300 && res.status < 400 && location !== null && location.startsWith('/') && hops < 5) {
      url = new URL(location, url).href;
      continue;
    }
    if (res.status === 404 && h.get('x-error-code') === 'EntryNotFound') return undefined;
    if (res.status >= 400) throw httpError(s, r, file, res.status, h.get('x-error-code') ?? undefined);
    const commit = h.get('x-repo-commit');
    const etag = h.get('x-linked-etag') ?? h.get('etag');
    const size = Number(h.get('x-linked-size') ?? h.get('content-length'));
    if (commit === null || etag === null || !Number.isFinite(size)) {
      throw new HubError('http', `${formatHubRef(r)}: the answer for ${file} from ${s.endpoint} lacks x-repo-commit, ETag or a size; ` +
        'is HF_ENDPOINT a Hub (or a mirror of its API)?');
    }
    return { commit, etag: normalizeEtag(etag), size, url: location !== null ? new URL(location, url).href : url };
  }
}

/** The hash the etag is (sha256 or git blob sha1) of the file at `path`, or undefined for an etag of another form. */
async function contentId(path: string, etag: string, size: number): Promise<string | undefined> {
  const sha = /^[0-9a-f]{64}$/.test(etag) ? createHash('sha256') : /^[0-9a-f]{40}$/.test(etag) ? createHash('sha1') : undefined;
  if (sha === undefined) return undefined;
  if (etag.length === 40) sha.update(`blob ${size}\0`);
  await pipeline(createReadStream(path), sha);
  return sha.digest('hex');
}

/** Download `remote` into `blob` (resuming `<blob>.incomplete`), verify it, and rename it into place. */
export async function downloadBlob(s: HubSettings, r: RepoLabel, file: string, remote: RemoteFile, blob: string, onProgress?: DownloadListener): Promise<void> {
  const partial = `${blob}.incomplete`;
  await mkdir(dirname(blob), { recursive: true });
  let start = await stat(partial).then((x) => x.size, () => 0);
  if (start > remote.size) { await rm(partial, { force: true }); start = 0; }
  const id = formatHubRef({ ...r, revision: 'main' });
  if (start < remote.size) {
    const res = await request(s, r, remote.url, { headers: { 'accept-encoding': 'identity', ...(start > 0 ? { range: `bytes=${start}-` } : {}) } });
    if (res.status >= 400) {
      // The endpoint's answers carry the Hub's error codes; a CDN's (an expired signed URL, a proxy) do not.
      if (new URL(remote.url).origin === new URL(s.endpoint).origin) throw httpError(s, r, file, res.status, res.headers.get('x-error-code') ?? undefined);
      throw new HubError('http', `${id}: the download of ${file} from ${new URL(remote.url).host} failed with HTTP ${res.status}; run the command again`);
    }
    if (start > 0 && res.status !== 206) start = 0; // the server ignored the range: start over
    const t0 = Date.now();
    let bytes = start;
    const report = (done: boolean): void => onProgress?.({ repo: id, file, bytes, total: remote.size, resumedFrom: start, done,
      rate: (bytes - start) / Math.max(1e-3, (Date.now() - t0) / 1000) });
    report(false);
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => { bytes += chunk.length; report(false); });
    try {
      await pipeline(body, createWriteStream(partial, { flags: start > 0 ? 'a' : 'w' }));
    } catch (e) {
      throw new HubError('network', `${id}: the download of ${file} was cut after ${bytes} of ${remote.size} bytes ` +
        `(${(e as Error).message}); run the command again to resume from ${partial}`, { cause: e });
    }
    report(true);
  }
  await verify(r, file, remote, partial);
  await rename(partial, blob);
}

async function verify(r: RepoLabel, file: string, remote: RemoteFile, partial: string): Promise<void> {
  const id = formatHubRef({ ...r, revision: 'main' });
  const size = (await stat(partial)).size;
  const got = size === remote.size ? await contentId(partial, remote.etag, size) : undefined;
  if (size !== remote.size || (got !== undefined && got !== remote.etag)) {
    await rm(partial, { force: true });
    const what = size !== remote.size ? `${size} bytes where the Hub says ${remote.size}` : `${remote.etag.length === 64 ? 'sha256' : 'git blob id'} ${got} where the Hub's etag is ${remote.etag}`;
    throw new HubError('corrupt', `${id}: the downloaded ${file} is corrupt (${what}); it was deleted and not added to the cache. ` +
      'Run the command again; if it repeats, the mirror (HF_ENDPOINT) or a proxy alters the file');
  }
  if (got === undefined) process.stderr.write(`gramr: ${id} ${file}: size checked, but the etag "${remote.etag}" is neither a sha256 nor a git blob id, so the content could not be checked\n`);
}
