// Judgment browsing at scale: writes a synthetic evaluate stage folder (N pairs x 2 orders, each with a ~1 kB prompt
// and a ~400-byte generation, plus pairs.jsonl and a manifest), then times what `gramr judgments` / `gramr view` do:
// opening the stage (one indexing pass), a filtered page read back by offset, and a page over loopback HTTP.
// Standalone: node dist/bench/judgments.js [--pairs 50000].
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { contentId } from '../core/reward/seeds.js';
import { promptHash } from '../plugins/judging-stages/prompt-store.js';
import { serveRun, StageJudgments } from '../plugins/viewer/index.js';

/** Write the synthetic run; returns its run and stage folders. */
function writeStage(pairs: number): { runDir: string; stageDir: string } {
  const runDir = mkdtempSync(path.join(tmpdir(), 'gramr-bench-judgments-'));
  const stageDir = path.join(runDir, 'evaluate');
  mkdirSync(path.join(stageDir, 'report'), { recursive: true });
  const log: string[] = [], prompts: string[] = [], outcomes: string[] = [];
  const filler = 'lorem ipsum dolor sit amet '.repeat(36);
  for (let i = 0; i < pairs; i++) {
    const q = `question ${i}`, a = `answer a ${i}`, b = `answer b ${i}`;
    const key = contentId(q, a, b);
    const labels = i % 7 === 0 ? ['A', 'A'] : ['A', 'B'];
    const orders: Array<{ order: string; label?: string; correct: boolean }> = [];
    for (const [k, order] of (['original', 'swapped'] as const).entries()) {
      const prompt = `${filler}\n${q}\n${order === 'original' ? `${a}\n${b}` : `${b}\n${a}`}`;
      const hash = promptHash(prompt);
      prompts.push(JSON.stringify({ hash, prompt }));
      const label = i % 11 === 0 ? undefined : labels[k]!;
      log.push(JSON.stringify({
        key: order === 'original' ? key : contentId(q, b, a), pair: key, id: `p${i}`, order, ...(label ? { label, confidence: 0.9 } : { noAnswer: 'no-answer-tag' }),
        judgments: [{ sample: 0, seed: i, prompt: hash, raw: `<think>${filler.slice(0, 380)}</think><answer>${label ?? ''}</answer>`, ...(label ? { label, probs: { A: 0.9, B: 0.1 } } : { noAnswer: 'no-answer-tag' }) }],
      }));
      const original = label === undefined ? undefined : order === 'original' ? label : label === 'A' ? 'B' : 'A';
      orders.push({ order, ...(original ? { label: original } : {}), correct: original === 'A' });
    }
    outcomes.push(JSON.stringify({ id: `p${i}`, key, gold: 'A', domain: ['chat', 'math', 'code', 'safety'][i % 4], orders }));
  }
  writeFileSync(path.join(stageDir, 'report-judgments.jsonl'), log.join('\n') + '\n');
  writeFileSync(path.join(stageDir, 'report-judgments-prompts.jsonl'), prompts.join('\n') + '\n');
  writeFileSync(path.join(stageDir, 'report', 'pairs.jsonl'), outcomes.join('\n') + '\n');
  const out = (p: string, kind: string): Record<string, unknown> => ({ kind, path: `evaluate/${p}`, hash: 'x' });
  writeFileSync(path.join(stageDir, 'manifest.json'), JSON.stringify({
    status: 'complete', id: 'evaluate', kind: 'evaluate', configHash: 'x', options: { to: 'report' }, inputs: {}, seed: 0,
    outputs: { report: out('report', 'report'), 'report-judgments': out('report-judgments.jsonl', 'records'), 'report-judgments-prompts': out('report-judgments-prompts.jsonl', 'records') },
    backend: { name: 'cpu', chain: 'cpu' }, versions: {}, timing: { start: '', end: '', ms: 0 }, metrics: {},
  }));
  return { runDir, stageDir };
}

const ms = (t0: number): number => Number((performance.now() - t0).toFixed(1));

/** Time opening, a filtered page and an HTTP page; returns the numbers (milliseconds). */
export async function benchJudgments(pairs: number): Promise<Record<string, number>> {
  const { runDir, stageDir } = writeStage(pairs);
  try {
    let t0 = performance.now();
    const sj = await StageJudgments.open(stageDir);
    const openMs = ms(t0);
    t0 = performance.now();
    const page = await sj.page({ wrong: true, domain: 'math' }, Math.floor(pairs / 40), 20); // 1 in 28 pairs match
    const pageMs = ms(t0);
    const viewer = await serveRun(runDir, 0);
    try {
      await (await fetch(`${viewer.url}api/judgments?stage=evaluate&limit=1`)).json(); // opens the stage once
      t0 = performance.now();
      const body = (await (await fetch(`${viewer.url}api/judgments?stage=evaluate&flips=1&offset=${Math.floor(pairs / 10)}&limit=20`)).json()) as { pairs: unknown[] };
      const httpMs = ms(t0);
      if (page.pairs.length !== 20 || body.pairs.length !== 20) throw new Error('bench: a page came back short');
      return { pairs, judgments: 2 * pairs, openMs, pageMs, httpPageMs: httpMs, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) };
    } finally {
      await viewer.close();
    }
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--pairs');
  console.log(JSON.stringify(await benchJudgments(i > 0 ? Number(process.argv[i + 1]) : 50_000)));
}
