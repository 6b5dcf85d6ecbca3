// The `gramr view` server: a small page (plain HTML/JS/CSS in ./assets, no framework) over one run folder, on
// 127.0.0.1 only. JSON routes: /api/run (stages, reports), /api/judgments (one page of an evaluate stage's pairs,
// filtered and paged here, so the browser never holds more than a page); /files/… serves the run's reports and
// plots (report.md, *.svg) and nothing outside the run folder.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexRun } from './run-index.js';
import { StageJudgments, type JudgmentFilter } from './judgment-reader.js';

/** Where the page's files are (the source folder: tsc does not copy them into dist). */
const ASSETS = fileURLToPath(new URL('../../../plugins/viewer/assets/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.md': 'text/markdown; charset=utf-8', '.json': 'application/json', '.png': 'image/png',
};
/** Run files the page may fetch, by extension. */
const SERVED = new Set(['.svg', '.md', '.json', '.png']);
/** Most pairs per page. */
const MAX_PAGE = 200;

/** A running viewer. */
export interface RunViewer {
  /** The page's address. */
  url: string;
  /** Stop serving. */
  close(): Promise<void>;
}

/** Serve the run folder `runDir` on 127.0.0.1:`port` (0: a free port). */
export async function serveRun(runDir: string, port: number): Promise<RunViewer> {
  const root = path.resolve(runDir);
  const opened = new Map<string, Promise<StageJudgments>>();
  const judgments = (stage: string): Promise<StageJudgments> => {
    if (!opened.has(stage)) {
      const p = StageJudgments.open(path.join(root, stage));
      p.catch(() => opened.delete(stage));
      opened.set(stage, p);
    }
    return opened.get(stage)!;
  };
  const server = createServer((req, res) => {
    handle(req, res, root, judgments).catch((e: Error) => send(res, 500, { error: e.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/`;
  return { url, close: () => closeServer(server) };
}

async function handle(req: IncomingMessage, res: ServerResponse, root: string, judgments: (stage: string) => Promise<StageJudgments>): Promise<void> {
  if (req.method !== 'GET') return send(res, 405, { error: 'only GET' });
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const p = decodeURIComponent(url.pathname);
  if (p === '/' || p === '/index.html') return file(res, path.join(ASSETS, 'index.html'));
  if (p === '/app.js' || p === '/style.css') return file(res, path.join(ASSETS, p.slice(1)));
  if (p === '/api/run') return send(res, 200, indexRun(root));
  if (p === '/api/judgments') {
    const q = url.searchParams;
    const stage = q.get('stage') ?? '';
    if (!/^[\w.-]+$/.test(stage) || /^\.+$/.test(stage) || !existsSync(path.join(root, stage, 'manifest.json'))) {
      return send(res, 404, { error: `no complete stage ${JSON.stringify(stage)} in this run` });
    }
    const sj = await judgments(stage);
    const filter: JudgmentFilter = {
      ...(q.get('wrong') === '1' ? { wrong: true } : {}), ...(q.get('flips') === '1' ? { flips: true } : {}),
      ...(q.get('noAnswer') === '1' ? { noAnswer: true } : {}), ...(q.get('domain') ? { domain: q.get('domain')! } : {}),
    };
    const int = (name: string, dflt: number, max: number): number => Math.min(max, Math.max(0, Math.floor(Number(q.get(name) ?? dflt)) || 0));
    const page = await sj.page(filter, int('offset', 0, Number.MAX_SAFE_INTEGER), Math.max(1, int('limit', 20, MAX_PAGE)));
    return send(res, 200, { ...page, pairsInStage: sj.size, domains: sj.domains() });
  }
  if (p.startsWith('/files/')) {
    const target = path.resolve(root, p.slice('/files/'.length));
    if (!target.startsWith(root + path.sep) || !SERVED.has(path.extname(target)) || !existsSync(target) || !statSync(target).isFile()) {
      return send(res, 404, { error: 'not a report file of this run' });
    }
    return file(res, target);
  }
  return send(res, 404, { error: `no route ${p}` });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

function file(res: ServerResponse, f: string): void {
  res.writeHead(200, { 'content-type': TYPES[path.extname(f)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  createReadStream(f).pipe(res);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
