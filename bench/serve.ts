// `gramr bench serve`: requests/s and p50/p99 latency of POST /get_reward over loopback HTTP, client and server in
// one process, at concurrency 1 and 32, with a train-grm model (pointwise rewards for Bradley–Terry, else against a
// reference). The server's answers are first checked against the model called directly. Can append the numbers to
// docs/performance.md's "Serving" section.
import { appendFile, readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import type { ComputeBackend } from '../core/tensor/backend.js';
import { openRewardModel, RewardServer } from '../plugins/server/index.js';
import { ModelJudgeOpener } from '../core/reward/judge-opener.js';

/** Options of benchServe. */
export interface ServeBenchOptions {
  /** Backend the model runs on. */
  backend: ComputeBackend;
  /** A model folder train-grm wrote. */
  model: string;
  /** Requests per concurrency level (default 256). */
  requests?: number;
  /** Server micro-batch size (default 16). */
  batch?: number;
  /**
   * Untimed requests before each level, at its concurrency (default: `requests`), so the client's keep-alive
   * connections are open and every (batch, length bucket) program is built.
   */
  warmup?: number;
}

/** One concurrency level's numbers. */
export interface ServeBenchLevel {
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests completed per second. */
  requests_per_s: number;
  /** Median latency (ms). */
  p50_ms: number;
  /** 99th-percentile latency (ms). */
  p99_ms: number;
}

/** The result of benchServe. */
export interface ServeBenchResult {
  /** The model's objective. */
  objective: string;
  /** Requests per level. */
  requests: number;
  /** Server micro-batch size. */
  batch: number;
  /** Untimed warm-up requests before each level. */
  warmup: number;
  /** One entry per concurrency level. */
  levels: ServeBenchLevel[];
}

const pct = (xs: number[], q: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]!; };

/** Measure /get_reward at concurrency 1 and 32 (see the file header). */
export async function benchServe(o: ServeBenchOptions): Promise<ServeBenchResult> {
  const requests = o.requests ?? 256, batch = o.batch ?? 16;
  const model = await openRewardModel(new ModelJudgeOpener(), o.model, o.backend, { batchSize: Math.min(batch, 8) });
  const server = new RewardServer(model, { port: 0, batch });
  try {
    const { url } = await server.listen();
    const body = (i: number): object => ({ prompts: [`What is ${i} + ${i % 9}?`], responses: [`${i + (i % 9)}`], ...(model.score ? {} : { references: [`${i}`] }) });
    // The client keeps at most 32 keep-alive connections (as an RLHF trainer's HTTP pool does). fetch's pool opened
    // connections mid-level (16-48 new ones per c=32 level, measured), and each level that did had p99 1.1-1.5 s
    // against ~200 ms for one that opened none: the tail was the client's, not the server's.
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const call = async (i: number): Promise<number> => {
      const { status, text } = await postJson(agent, `${url}/get_reward`, JSON.stringify(body(i)));
      if (status !== 200) throw new Error(`bench serve: /get_reward answered ${status}: ${text}`);
      return (JSON.parse(text) as { rewards: number[] }).rewards[0]!;
    };
    if (model.score) { // check before timing
      const [want] = await model.score([{ prompt: 'What is 3 + 3?', response: '6' }]);
      const got = await call(3);
      if (Math.abs(got - want!) > 1e-4) throw new Error(`bench serve: the server's reward ${got} differs from the model's ${want}`);
    }
    // Runs `count` requests from `concurrency` clients; returns the latencies and the wall time.
    const load = async (concurrency: number, count: number, first: number): Promise<{ lat: number[]; secs: number }> => {
      const lat: number[] = [];
      let next = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const i = first + next++;
          const s = performance.now();
          await call(i);
          lat.push(performance.now() - s);
        }
      }));
      return { lat, secs: (performance.now() - t0) / 1000 };
    };
    // A server's first seconds are not its steady state: reward programs are built on first use per (batch, length
    // bucket), and the client opens its connections. The warm-up runs right before each level at its concurrency
    // (idle keep-alive connections close after ~5 s).
    const warmup = o.warmup ?? requests;
    const levels: ServeBenchLevel[] = [];
    for (const concurrency of [1, 32]) {
      if (warmup > 0) await load(concurrency, warmup, 10_000);
      const { lat, secs } = await load(concurrency, requests, 0);
      levels.push({ concurrency, requests_per_s: requests / secs, p50_ms: pct(lat, 0.5), p99_ms: pct(lat, 0.99) });
    }
    return { objective: model.objective, requests, batch, warmup, levels };
  } finally {
    await server.close();
    model.dispose();
  }
}

/** POSTs a JSON body through `agent`; resolves with the status and the response text. */
function postJson(agent: Agent, url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Append a "Serving" section with `r` to `file` (docs/performance.md); the rest of the file is left as it is. */
export async function appendServingSection(file: string, r: ServeBenchResult, setting: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const rows = r.levels.map((l) => `| ${l.concurrency} | ${l.requests_per_s.toFixed(1)} | ${l.p50_ms.toFixed(1)} | ${l.p99_ms.toFixed(1)} |`);
  const section = [`${text.endsWith('\n') ? '' : '\n'}`, '## Serving', '',
    `\`gramr bench serve\`: POST /get_reward over loopback HTTP, client and server in one process, ${r.requests} requests per level, `
    + `one response per request, server micro-batch ${r.batch}, each level after ${r.warmup} untimed warm-up requests at its concurrency; ${setting}.`, '',
    '| concurrency | requests/s | p50 (ms) | p99 (ms) |', '|---|---|---|---|', ...rows, ''].join('\n');
  await appendFile(file, section);
}
