// A loopback mock of the Hugging Face Hub's HTTP API, as much as gramr and the Python client use of it:
// HEAD/GET /{repo}/resolve/{rev}/{path} and /datasets/{repo}/resolve/..., with x-repo-commit, ETag (git blob id),
// and for LFS files a 302 to a CDN-like /cdn/<sha256> with X-Linked-Etag / X-Linked-Size; Range requests on the
// CDN; 401 GatedRepo without the right token; 404 RepoNotFound / RevisionNotFound / EntryNotFound. It can cut a
// transfer after N bytes or corrupt one, and logs every request.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One logged request. */
export interface LoggedRequest {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
}

/** A repo the mock serves. */
export interface MockRepo {
  /** Files by path in the repo. */
  files: Record<string, Buffer>;
  /** Its commit hash (40 hex). */
  commit: string;
  /** Gated: only `Bearer <token>` gets through. */
  token?: string;
}

/** The git blob id of `data` (what the Hub sends as ETag for a regular file). */
export function gitBlobId(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

/** sha256 of `data` in hex (an LFS file's etag). */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A 40-hex commit id derived from `seed`. */
export function commitId(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

const isLfs = (path: string): boolean => /\.(safetensors|parquet|gz|bin)$/.test(path) || path === 'total_dataset.json';

/** The mock Hub. */
export class MockHub {
  /** Every request, in order. */
  readonly requests: LoggedRequest[] = [];
  /** Repos by `model:owner/name` or `dataset:owner/name`. */
  readonly repos = new Map<string, MockRepo>();
  /** CDN GETs of these sha256 blobs are cut after this many bytes (once each). */
  readonly cutAfter = new Map<string, number>();
  /** CDN GETs of these sha256 blobs get one byte changed. */
  readonly corrupt = new Set<string>();
  private server: Server | undefined;
  private blobs = new Map<string, Buffer>();
  /** http://127.0.0.1:<port> once started. */
  endpoint = '';

  /** Add a repo; `type` model or dataset. */
  add(type: 'model' | 'dataset', id: string, files: Record<string, Buffer>, options: { token?: string; commit?: string } = {}): MockRepo {
    const repo: MockRepo = { files, commit: options.commit ?? commitId(`${type}:${id}:${Object.keys(files).join(',')}`), ...(options.token ? { token: options.token } : {}) };
    this.repos.set(`${type}:${id}`, repo);
    for (const data of Object.values(files)) this.blobs.set(sha256(data), data);
    return repo;
  }

  /** Listen on 127.0.0.1, port 0. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  /** Stop listening. */
  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURI((req.url ?? '/').split('?')[0]!);
    this.requests.push({ method: req.method ?? 'GET', path, ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (path.startsWith('/cdn/')) return this.cdn(path.slice(5), req, res);
    const m = /^\/(datasets\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (!m) return this.fail(res, 404, 'RepoNotFound');
    const repo = this.repos.get(`${m[1] ? 'dataset' : 'model'}:${m[2]}`);
    if (!repo) return this.fail(res, 404, 'RepoNotFound');
    if (repo.token !== undefined && req.headers.authorization !== `Bearer ${repo.token}`) return this.fail(res, 401, 'GatedRepo');
    if (m[3] !== 'main' && m[3] !== repo.commit) return this.fail(res, 404, 'RevisionNotFound');
    const data = repo.files[m[4]!];
    if (!data) return this.fail(res, 404, 'EntryNotFound');
    const headers: Record<string, string> = { 'x-repo-commit': repo.commit, etag: `"${gitBlobId(data)}"` };
    if (isLfs(m[4]!)) {
      const sha = sha256(data);
      res.writeHead(302, { ...headers, 'x-linked-etag': `"${sha}"`, 'x-linked-size': String(data.length), location: `${this.endpoint}/cdn/${sha}`, 'content-length': '0' });
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(data.length), 'content-type': 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : data);
  }

  private cdn(sha: string, req: IncomingMessage, res: ServerResponse): void {
    let data = this.blobs.get(sha);
    if (!data) return this.fail(res, 404, 'EntryNotFound');
    if (this.corrupt.has(sha)) { data = Buffer.from(data); data[data.length >> 1] ^= 0xff; }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const body = data.subarray(start);
    res.writeHead(range ? 206 : 200, { etag: `"${sha}"`, 'accept-ranges': 'bytes', 'content-length': String(body.length),
      ...(range ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}) });
    if (req.method === 'HEAD') { res.end(); return; }
    const cut = this.cutAfter.get(sha);
    if (cut !== undefined) {
      this.cutAfter.delete(sha);
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  }

  private fail(res: ServerResponse, status: number, code: string): void {
    res.writeHead(status, { 'x-error-code': code, 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: code }));
  }
}
