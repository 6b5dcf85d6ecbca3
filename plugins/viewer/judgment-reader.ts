// Reads an evaluate stage's judgments for people: the judgments log (judgment-log.ts) grouped by record pair (both
// orders together), joined with the report's pairs.jsonl (gold label, domain, per-order correctness) and the prompts
// file. Opening indexes the log once by byte offset (jsonl-index.ts); pages of full records are read back on demand,
// so filtering and paging stay fast on 100k judgments.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { WorkError } from '../../core/errors.js';
import { readManifest, type StageManifest } from '../../core/pipeline/manifest.js';
import type { PairOutcome } from '../../core/reward/evaluator.js';
import type { LoggedCall, LoggedJudgment } from '../judging-stages/judgment-log.js';
import { indexJsonl, readLines, type IndexedLine } from './jsonl-index.js';

/** Filters of a judgments listing (all given must hold). */
export interface JudgmentFilter {
  /** Pairs where some order's label is not the gold label. */
  wrong?: boolean;
  /** Pairs whose two orders got different labels (in the record's terms). */
  flips?: boolean;
  /** Pairs where some order has no answer. */
  noAnswer?: boolean;
  /** Pairs of this benchmark domain (meta.category, else meta.domain). */
  domain?: string;
}

/** One model call as read back: the prompt hash resolved to its text. */
export type ReadCall = Omit<LoggedCall, 'prompt'> & { promptHash: string; prompt?: string };

/** One judged order of a pair, read back. */
export interface ReadOrder {
  /** The order shown. */
  order: 'original' | 'swapped';
  /** The label in the record's terms (A = the record's a); absent for no answer. */
  label?: 'A' | 'B';
  /** The label as the model gave it in the shown order. */
  shownLabel?: 'A' | 'B';
  /** Whether it matches gold (no answer counts as wrong); absent without gold. */
  correct?: boolean;
  /** Probability of the label, when computed. */
  confidence?: number;
  /** Why there is no answer. */
  noAnswer?: string;
  /** The model calls (vote samples) behind it. */
  calls: ReadCall[];
}

/** One record pair with its judged orders. */
export interface ReadPair {
  /** The record id (when known). */
  id?: string;
  /** contentId of the pair in its original order. */
  key: string;
  /** Gold label, when the pair has one. */
  gold?: 'A' | 'B';
  /** Benchmark domain, when known. */
  domain?: string;
  /** Some order answered against gold. */
  wrong: boolean;
  /** The two orders' labels differ. */
  flipped: boolean;
  /** Some order has no answer. */
  noAnswer: boolean;
  /** Judged orders, original first. */
  orders: ReadOrder[];
}

/** A page of pairs. */
export interface JudgmentPage {
  /** Pairs matching the filter. */
  total: number;
  /** The page's first index among them. */
  offset: number;
  /** The page. */
  pairs: ReadPair[];
}

interface Summary { key: string; pair: string; order: 'original' | 'swapped'; label?: 'A' | 'B'; noAnswer: boolean }
interface Group {
  key: string; outcome?: PairOutcome; entries: Array<IndexedLine<Summary>>;
  wrong: boolean; flipped: boolean; noAnswer: boolean;
}

const flip = (l: 'A' | 'B' | undefined): 'A' | 'B' | undefined => (l === 'A' ? 'B' : l === 'B' ? 'A' : undefined);

/** The judgments of one evaluate stage, indexed. */
export class StageJudgments {
  private constructor(readonly stage: string, readonly manifest: StageManifest, private readonly logFile: string,
    private readonly promptsFile: string | undefined, private readonly groups: Group[],
    private readonly prompts: Map<string, { offset: number; length: number }>) {}

  /** Open the evaluate stage folder `stageDir` (complete: it has a manifest). */
  static async open(stageDir: string): Promise<StageJudgments> {
    const manifest = readManifest(path.join(stageDir, 'manifest.json'));
    if (!manifest) throw new WorkError(`${stageDir}: no complete stage here (manifest.json missing); run the pipeline first`);
    const runDir = path.dirname(stageDir);
    const outs = Object.entries(manifest.outputs);
    const name = judgmentsOutput(manifest);
    const log = outs.find(([n]) => n === name);
    if (!log) {
      throw new WorkError(`stage "${manifest.id}" (${manifest.kind}) has no judgments log; outputs: ${outs.map(([n]) => n).join(', ') || '(none)'}. `
        + 'Judgments are kept by evaluate stages');
    }
    const promptsOut = manifest.outputs[`${log[0]}-prompts`];
    const report = outs.find(([, o]) => o.kind === 'report');
    const outcomes = report ? await readOutcomes(path.join(runDir, report[1].path, 'pairs.jsonl')) : new Map<string, PairOutcome>();
    const logFile = path.join(runDir, log[1].path);
    const entries = await indexJsonl(logFile, summarize);
    const promptsFile = promptsOut ? path.join(runDir, promptsOut.path) : undefined;
    const prompts = new Map<string, { offset: number; length: number }>();
    if (promptsFile) {
      for (const e of await indexJsonl(promptsFile, (v) => (v as { hash?: string })?.hash)) prompts.set(e.summary, e);
    }
    return new StageJudgments(manifest.id, manifest, logFile, promptsFile, group(entries, outcomes), prompts);
  }

  /** Record pairs judged. */
  get size(): number {
    return this.groups.length;
  }

  /** The domains present, with their pair counts. */
  domains(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const g of this.groups) if (g.outcome?.domain !== undefined) out[g.outcome.domain] = (out[g.outcome.domain] ?? 0) + 1;
    return out;
  }

  /** Pairs matching `filter`, from `offset`, at most `limit`. */
  async page(filter: JudgmentFilter, offset = 0, limit = 20): Promise<JudgmentPage> {
    const match = this.groups.filter((g) => (!filter.wrong || g.wrong) && (!filter.flips || g.flipped) && (!filter.noAnswer || g.noAnswer)
      && (filter.domain === undefined || g.outcome?.domain === filter.domain));
    const slice = match.slice(offset, offset + limit);
    const logged = (await readLines(this.logFile, slice.flatMap((g) => g.entries))) as LoggedJudgment[];
    const hashes = [...new Set(logged.flatMap((l) => (l.judgments ?? []).map((c) => c.prompt)))];
    const texts = await this.promptTexts(hashes);
    let n = 0;
    const pairs = slice.map((g) => readPair(g, g.entries.map(() => logged[n++]!), texts));
    return { total: match.length, offset, pairs };
  }

  private async promptTexts(hashes: string[]): Promise<Map<string, string>> {
    const at = hashes.filter((h) => this.prompts.has(h));
    if (!this.promptsFile || at.length === 0) return new Map();
    const rows = (await readLines(this.promptsFile, at.map((h) => this.prompts.get(h)!))) as Array<{ hash: string; prompt: string }>;
    return new Map(rows.map((r) => [r.hash, r.prompt]));
  }
}

/** The name of a stage's judgments log output (an evaluate stage's `judgments`, else `<to>-judgments`), if it has one. */
export function judgmentsOutput(m: StageManifest): string | undefined {
  const o = (m.options ?? {}) as { to?: unknown; judgments?: unknown };
  const name = typeof o.judgments === 'string' ? o.judgments : typeof o.to === 'string' ? `${o.to}-judgments` : undefined;
  return m.kind === 'evaluate' && name !== undefined && m.outputs[name]?.kind === 'records' ? name : undefined;
}

function summarize(v: unknown, line: number): Summary {
  const r = v as LoggedJudgment;
  if (typeof r?.key !== 'string') throw new WorkError(`judgments log line ${line}: no "key"`);
  return { key: r.key, pair: r.pair ?? r.key, order: r.order ?? 'original', ...(r.label ? { label: r.label } : {}), noAnswer: r.label === undefined };
}

async function readOutcomes(file: string): Promise<Map<string, PairOutcome>> {
  const out = new Map<string, PairOutcome>();
  if (!existsSync(file)) return out;
  for (const e of await indexJsonl(file, (v) => v as PairOutcome)) if (!out.has(e.summary.key)) out.set(e.summary.key, e.summary);
  return out;
}

/** Group log entries by record pair, in log order, and compute the filter flags. */
function group(entries: Array<IndexedLine<Summary>>, outcomes: Map<string, PairOutcome>): Group[] {
  const byPair = new Map<string, Group>();
  for (const e of entries) {
    let g = byPair.get(e.summary.pair);
    if (!g) byPair.set(e.summary.pair, g = { key: e.summary.pair, outcome: outcomes.get(e.summary.pair), entries: [], wrong: false, flipped: false, noAnswer: false });
    g.entries.push(e);
  }
  for (const g of byPair.values()) {
    g.entries.sort((x, y) => (x.summary.order === y.summary.order ? 0 : x.summary.order === 'original' ? -1 : 1));
    const labels = g.entries.map((e) => (e.summary.order === 'swapped' ? flip(e.summary.label) : e.summary.label));
    const gold = g.outcome?.gold;
    g.noAnswer = labels.some((l) => l === undefined);
    g.wrong = gold !== undefined && labels.some((l) => l !== undefined && l !== gold);
    g.flipped = labels.length === 2 && labels[0] !== undefined && labels[1] !== undefined && labels[0] !== labels[1];
  }
  return [...byPair.values()];
}

function readPair(g: Group, logged: LoggedJudgment[], texts: Map<string, string>): ReadPair {
  const gold = g.outcome?.gold;
  const id = g.outcome?.id ?? logged[0]?.id;
  return {
    ...(id !== undefined ? { id } : {}), key: g.key, ...(gold ? { gold } : {}),
    ...(g.outcome?.domain !== undefined ? { domain: g.outcome.domain } : {}),
    wrong: g.wrong, flipped: g.flipped, noAnswer: g.noAnswer,
    orders: logged.map((l): ReadOrder => {
      const order = l.order ?? 'original';
      const label = order === 'swapped' ? flip(l.label) : l.label;
      return {
        order, ...(label ? { label } : {}), ...(l.label ? { shownLabel: l.label } : {}),
        ...(gold ? { correct: label === gold } : {}), ...(l.confidence !== undefined ? { confidence: l.confidence } : {}),
        ...(l.noAnswer !== undefined ? { noAnswer: l.noAnswer } : {}),
        calls: (l.judgments ?? []).map(({ prompt, ...c }) => ({ ...c, promptHash: prompt, ...(texts.has(prompt) ? { prompt: texts.get(prompt)! } : {}) })),
      };
    }),
  };
}
