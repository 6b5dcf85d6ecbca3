// RewardServer: the HTTP face of a RewardModel over node:http — POST /get_reward (OpenRLHF's remote reward model),
// POST /v1/judge, GET /healthz, GET /metrics. Bearer-token auth, limits (body size and read time, header time,
// connections, items and generations per request), items checked per request before batching, per-request timeouts
// that cancel unsent work, micro-batching of concurrent requests (micro-batcher.ts) and graceful shutdown.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { swapAveragedReward } from '../../core/reward/scores.js';
import { readBody } from './body-reader.js';
import { MicroBatcher } from './micro-batcher.js';
import { HttpError, parseJson, parseJudgeRequest, parseRewardRequest, type RewardRequest } from './request-bodies.js';
import type { PairItem, PairResult, RewardModel } from './reward-model.js';
import { ServerMetrics } from './server-metrics.js';

/** Options of a RewardServer (every one has a default). */
export interface RewardServerOptions {
  /** Address to bind (default 127.0.0.1). Any other than loopback needs `token`. */
  host?: string;
  /** Port (default 8000; 0 = a free one). */
  port?: number;
  /** Bearer token every route but /healthz requires; undefined = no auth (loopback only). */
  token?: string;
  /** Largest request body in bytes (default 1 MiB; 413 above). */
  maxBodyBytes?: number;
  /** Most items (queries / responses) per request (default 1024; 413 above). */
  maxItems?: number;
  /** Most pairs or responses per backend call (default 16). */
  batch?: number;
  /** How long a request waits for others to share its backend call, in ms (default 5). */
  windowMs?: number;
  /** Per-request time limit in ms (default 60000; 504 after it, and the request's unsent work is dropped). */
  timeoutMs?: number;
  /** Most generations one request may cost: votes × orders per pair, one per scored response (default 2048; 413 above). */
  maxGenerations?: number;
  /** Most ms to receive a request's headers (default 10000). */
  headersTimeoutMs?: number;
  /** Most ms to receive a request's body once its headers are in (default 10000; 408 after it). */
  bodyTimeoutMs?: number;
  /** Most open connections (default 256; more are refused). */
  maxConnections?: number;
  /** Separator that splits a query without `prompts` (default "\n<|assistant|>\n", plainChat's marker). */
  separator?: string;
  /** Reward given where the model produced no probabilities (default 0.5: no preference). */
  noAnswerReward?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Refuse a non-loopback address without a token (ConfigError). */
export function checkBinding(host: string, token: string | undefined): void {
  if (!LOOPBACK.has(host) && (token === undefined || token === '')) {
    throw new ConfigError(`binding ${host} exposes the reward server beyond this machine; give a bearer token (--token or GRAMR_SERVE_TOKEN), or bind 127.0.0.1`);
  }
}

type Handler = (body: unknown, signal: AbortSignal) => Promise<unknown>;

/** Serves a RewardModel over HTTP (see the file header). */
export class RewardServer {
  /** The server's metrics (also at GET /metrics). */
  readonly metrics = new ServerMetrics();
  private readonly o: Required<Omit<RewardServerOptions, 'token'>> & { token: string | undefined };
  private readonly http: Server;
  private readonly pairs: MicroBatcher<PairItem, PairResult>;
  private readonly scores: MicroBatcher<{ prompt: string; response: string }, number> | undefined;
  private draining = false;
  private readonly reading = new Set<IncomingMessage>();
  private drained: (() => void) | undefined;

  constructor(readonly model: RewardModel, options: RewardServerOptions = {}) {
    this.o = {
      host: options.host ?? '127.0.0.1', port: options.port ?? 8000, token: options.token, maxBodyBytes: options.maxBodyBytes ?? 1 << 20,
      maxItems: options.maxItems ?? 1024, batch: options.batch ?? 16, windowMs: options.windowMs ?? 5, timeoutMs: options.timeoutMs ?? 60_000,
      separator: options.separator ?? '\n<|assistant|>\n', noAnswerReward: options.noAnswerReward ?? 0.5, maxGenerations: options.maxGenerations ?? 2048,
      headersTimeoutMs: options.headersTimeoutMs ?? 10_000, bodyTimeoutMs: options.bodyTimeoutMs ?? 10_000, maxConnections: options.maxConnections ?? 256,
    };
    for (const k of ['maxBodyBytes', 'maxItems', 'batch', 'timeoutMs', 'maxGenerations', 'headersTimeoutMs', 'bodyTimeoutMs', 'maxConnections'] as const) {
      if (!Number.isInteger(this.o[k]) || this.o[k] < 1) throw new ConfigError(`reward server: ${k} must be a positive integer, got ${this.o[k]}`);
    }
    checkBinding(this.o.host, this.o.token);
    const onBatch = (n: number): void => this.metrics.batch(n);
    this.pairs = new MicroBatcher((items) => model.judgePairs(items), { maxBatch: this.o.batch, windowMs: this.o.windowMs, onBatch, weight: (p) => p.votes });
    const score = model.score;
    this.scores = score ? new MicroBatcher((items) => score(items), { maxBatch: this.o.batch, windowMs: this.o.windowMs, onBatch }) : undefined;
    this.http = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => void this.handle(req, res));
    this.http.keepAliveTimeout = 5000;
    this.http.headersTimeout = this.o.headersTimeoutMs;
    this.http.requestTimeout = this.o.headersTimeoutMs + this.o.bodyTimeoutMs;
    this.http.maxConnections = this.o.maxConnections;
  }

  /** Start listening; resolves to the bound address and port. */
  listen(): Promise<{ host: string; port: number; url: string }> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.o.port, this.o.host, () => {
        this.http.off('error', reject);
        const a = this.http.address() as AddressInfo;
        const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        resolve({ host: a.address, port: a.port, url: `http://${host}:${a.port}` });
      });
    });
  }

  /** Graceful shutdown: refuse new requests (503), drop those still sending their body, finish the rest, then close. */
  async close(): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((r) => this.http.close(() => r()));
    this.http.closeIdleConnections();
    for (const req of this.reading) req.socket.destroy();
    if (this.metrics.inFlight > 0) await new Promise<void>((r) => { this.drained = r; });
    this.http.closeAllConnections();
    await closed;
  }

  private routes: Record<string, { method: string; run: Handler } | undefined> = {
    '/get_reward': { method: 'POST', run: (b, s) => this.getReward(b, s) },
    '/v1/judge': { method: 'POST', run: (b, s) => this.judge(b, s) },
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0]!;
    const route = this.routes[path] || path === '/healthz' || path === '/metrics' ? path : 'other';
    let status = 500, counted = false;
    const send = (code: number, body: unknown, type = 'application/json'): void => {
      status = code;
      const text = type === 'application/json' ? JSON.stringify(body) + '\n' : String(body);
      res.writeHead(code, { 'content-type': type === 'application/json' ? 'application/json' : 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text),
        ...(this.draining ? { connection: 'close' } : {}) });
      res.end(text);
    };
    try {
      if (this.draining) throw new HttpError(503, 'the server is shutting down; retry against another instance');
      if (path === '/healthz') {
        if (req.method !== 'GET') throw new HttpError(405, `${path} takes GET, got ${req.method}`);
        return send(200, { status: 'ok', objective: this.model.objective, pointwise: this.scores !== undefined });
      }
      this.authorize(req);
      this.metrics.inFlight++;
      counted = true;
      if (path === '/metrics') {
        if (req.method !== 'GET') throw new HttpError(405, `${path} takes GET, got ${req.method}`);
        return send(200, this.metrics.text(), 'text/plain');
      }
      const r = this.routes[path];
      if (!r) throw new HttpError(404, `no route ${path}; routes: POST /get_reward, POST /v1/judge, GET /healthz, GET /metrics`);
      if (req.method !== r.method) throw new HttpError(405, `${path} takes ${r.method}, got ${req.method}`);
      this.reading.add(req);
      const body = parseJson(await readBody(req, { maxBytes: this.o.maxBodyBytes, timeoutMs: this.o.bodyTimeoutMs }).finally(() => this.reading.delete(req)));
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(new HttpError(504, `the request took longer than ${this.o.timeoutMs} ms (--timeout-ms); the server may be overloaded`)), this.o.timeoutMs);
      try {
        const result = await Promise.race([r.run(body, ac.signal), new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true }))]);
        send(200, result);
      } finally {
        clearTimeout(timer);
        ac.abort(new Error('request finished'));
      }
    } catch (e) {
      if (e instanceof HttpError) {
        if (e.status === 413 || e.status === 408) res.setHeader('connection', 'close');
        send(e.status, { error: e.message });
      } else {
        send(500, { error: `the reward model failed: ${(e as Error).message}` });
      }
    } finally {
      this.metrics.request(route, status, Number(process.hrtime.bigint() - start) / 1e9);
      if (counted && --this.metrics.inFlight === 0 && this.drained) this.drained();
    }
  }

  private authorize(req: IncomingMessage): void {
    if (this.o.token === undefined) return;
    const h = req.headers.authorization;
    if (h === undefined) throw new HttpError(401, 'missing "Authorization: Bearer <token>" header; this server requires its token');
    const m = /^Bearer (.+)$/i.exec(h);
    const given = Buffer.from(m?.[1] ?? ''), want = Buffer.from(this.o.token);
    if (!m || given.length !== want.length || !timingSafeEqual(given, want)) throw new HttpError(401, 'the bearer token is wrong');
  }

  // 413 when a request costs more generations than --max-generations.
  private checkWork(generations: number, how: string): void {
    if (generations > this.o.maxGenerations) {
      throw new HttpError(413, `the request costs ${generations} generations (${how}); this server takes at most ${this.o.maxGenerations} per request (--max-generations)`);
    }
  }

  // 400 naming the request's own field and index when the model cannot take one of its texts (checked before batching).
  private checkTexts(field: string, texts: readonly string[], indexed = true): void {
    const check = this.model.checkResponse;
    if (!check) return;
    texts.forEach((x, i) => {
      const why = check(x);
      if (why !== undefined) throw new HttpError(400, `field "${field}"${indexed ? `[${i}]` : ''} ${why}`);
    });
  }

  private async getReward(body: unknown, signal: AbortSignal): Promise<unknown> {
    const r: RewardRequest = parseRewardRequest(body, { separator: this.o.separator, maxItems: this.o.maxItems });
    this.checkWork(r.references === undefined ? r.responses.length : 2 * r.responses.length, r.references === undefined ? 'one per response' : 'two orders per response');
    this.checkTexts('responses', r.responses);
    if (r.references !== undefined) this.checkTexts(body !== null && typeof body === 'object' && 'labels' in body ? 'labels' : 'references', r.references);
    if (r.references === undefined) {
      if (!this.scores) {
        throw new HttpError(400, `this is a ${this.model.objective} model: it compares two responses and gives no score for one alone; `
          + 'send "references" (one reference response per query, or "labels") and each reward is P(response preferred over its reference), swap-averaged');
      }
      const rewards = await this.scores.run(r.prompts.map((prompt, i) => ({ prompt, response: r.responses[i]! })), signal);
      return { rewards };
    }
    const refs = r.references;
    const items: PairItem[] = r.prompts.flatMap((prompt, i) => [
      { prompt, a: r.responses[i]!, b: refs[i]!, votes: 1 }, { prompt, a: refs[i]!, b: r.responses[i]!, votes: 1 },
    ]);
    const out = await this.pairs.run(items, signal);
    const noAnswer: number[] = [];
    const rewards = r.prompts.map((_, i) => {
      const first = out[2 * i]!.probA, second = out[2 * i + 1]!.probA;
      const reward = first !== undefined && second !== undefined ? swapAveragedReward(first, 1 - second) : first ?? (second === undefined ? undefined : 1 - second);
      if (reward === undefined) noAnswer.push(i);
      return reward ?? this.o.noAnswerReward;
    });
    return { rewards, no_answer: noAnswer };
  }

  private async judge(body: unknown, signal: AbortSignal): Promise<unknown> {
    const { pair, swap } = parseJudgeRequest(body, this.model.canVote);
    this.checkWork(pair.votes * (swap ? 2 : 1), `${pair.votes} vote(s) × ${swap ? 2 : 1} order(s)`);
    this.checkTexts('a', [pair.a], false);
    this.checkTexts('b', [pair.b], false);
    const items = swap ? [pair, { ...pair, a: pair.b, b: pair.a }] : [pair];
    const out = await this.pairs.run(items, signal);
    const first = out[0]!;
    if (!swap) {
      return { label: first.label ?? null, confidence: first.confidence ?? null, probA: first.probA ?? null, rationale: first.rationale ?? null, noAnswer: first.noAnswer ?? null };
    }
    const second = out[1]!;
    const p1 = first.probA, p2 = second.probA === undefined ? undefined : 1 - second.probA;
    const probA = p1 !== undefined && p2 !== undefined ? swapAveragedReward(p1, p2) : p1 ?? p2;
    const flip = (l: 'A' | 'B' | undefined): 'A' | 'B' | undefined => (l === 'A' ? 'B' : l === 'B' ? 'A' : undefined);
    let label: 'A' | 'B' | undefined, noAnswer: string | undefined;
    if (probA !== undefined) {
      label = probA > 0.5 ? 'A' : probA < 0.5 ? 'B' : undefined;
      if (!label) noAnswer = 'orders-tied';
    } else {
      const l1 = first.label, l2 = flip(second.label);
      label = l1 === l2 || l2 === undefined ? l1 : l1 === undefined ? l2 : undefined;
      if (!label) noAnswer = first.noAnswer && second.noAnswer ? first.noAnswer : 'orders-disagree';
    }
    const confidence = label === undefined || probA === undefined ? undefined : label === 'A' ? probA : 1 - probA;
    return {
      label: label ?? null, confidence: confidence ?? null, probA: probA ?? null, rationale: first.rationale ?? second.rationale ?? null, noAnswer: noAnswer ?? null,
      orders: [first, second].map((o, i) => ({ order: i === 0 ? 'original' : 'swapped', label: (i === 0 ? o.label : flip(o.label)) ?? null,
        probA: o.probA === undefined ? null : i === 0 ? o.probA : 1 - o.probA, noAnswer: o.noAnswer ?? null })),
    };
  }
}
