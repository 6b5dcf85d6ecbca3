// Stage `synthesize-rationales` (METHOD.md recipe step 2): labeled pairs + a prover -> RationaleExample records (the
// kept ones), a per-pair log and a report (kept / dropped-by-rule counts, score statistics). Pairs are processed in
// input order in batches; each batch's kept records are flushed before its log lines, so after a kill the log says
// how far the run got and the rerun continues after it, skipping kept records already on disk: the final files
// are identical to an uninterrupted run (each pair samples from a seed derived from its id). With `executor: queue`
// the proving runs in `gramr work` processes (the queue plugin's `prove` jobs, all enqueued up front) and the stage
// writes their results in the same order through the same code, so the files equal those of a local run.
import { inject, injectable } from 'inversify';
import * as path from 'node:path';
import { z } from 'zod';
import type { Label, PreferencePair, RationaleExample } from '../../core/data/records.js';
import { WorkError } from '../../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../core/io/atomic-write.js';
import type { RecordWriter } from '../../core/pipeline/record-writer.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import type { ProofRequest, ProofResult, ProofSession, Prover } from '../../core/recipe/prover.js';
import type { KindLookup } from '../../core/di/kind-lookup.js';
import { readModelMeta, type ModelMeta } from '../../core/recipe/model-meta.js';
import { executorSchema, queueOf } from '../queue/executor-options.js';
import { asPair, labelBalance, labelOf } from '../../core/recipe/record-checks.js';
import { synthesisSchema } from './prover-options.js';
import { emptyOutputMessage, logLineOf, renderSynthesisReport, summaryOf, totalsOf, type SynthesisLogLine } from './synthesis-report.js';
import { KindLookupId } from '../../core/di/identifiers.js';

/** Options of `synthesize-rationales`. */
export const synthesizeRationalesSchema = synthesisSchema.extend({
  from: z.string().describe('labeled pairs (label A|B; unlabeled and tie pairs are skipped and counted)'),
  prover: z.string().describe('prover model artifact (written by train-prover)'),
  to: z.string().describe('records artifact: the kept pairs as RationaleExample (pair + label + rationale), in input order'),
  log: z.string().optional().describe('records artifact: one line per input pair (kept, drops by rule, scores); default <to>-log'),
  report: z.string().optional().describe('report artifact: report.json + report.md; default <to>-report'),
  batchSize: z.number().int().min(1).default(16).describe('pairs per synthesis batch (their candidates are scored together); results do not depend on it'),
  limit: z.number().int().positive().optional().describe('read at most this many pairs'),
  logProofs: z.boolean().default(false).describe('also write every candidate proof (text, failed rule or score) into the log'),
  executor: executorSchema.optional().describe('where the proving runs: {kind: local} (default, also when absent) or {kind: queue, redis: URL, ...} (prove jobs for gramr work processes, sft-prover only; docs/serving.md)'),
}).strict();
type SynthesizeOptions = z.output<typeof synthesizeRationalesSchema>;

const names = (o: SynthesizeOptions): { log: string; report: string } => ({ log: o.log ?? `${o.to}-log`, report: o.report ?? `${o.to}-report` });

/** The synthesis settings the options give (absent knobs left out), with the seed filled in from the stage's. */
function synthesisOf(o: SynthesizeOptions, ctx: StageContext): Record<string, unknown> & { seed: number } {
  const given = Object.fromEntries(Object.keys(synthesisSchema.shape).flatMap((k) => (o[k as keyof SynthesizeOptions] !== undefined ? [[k, o[k as keyof SynthesizeOptions]]] : []))) as { seed?: number } & Record<string, unknown>;
  return { ...given, seed: given.seed ?? ctx.seed };
}

/** The input pairs, in order, at most `limit`, each checked (read once; every later step uses this list). */
async function readPairs(o: SynthesizeOptions, ctx: StageContext, where: string): Promise<PreferencePair[]> {
  const pairs: PreferencePair[] = [];
  for await (const r of ctx.artifacts.records(o.from)) {
    if (o.limit !== undefined && pairs.length >= o.limit) break;
    pairs.push(asPair(r, pairs.length, `${where} ("${o.from}")`));
  }
  return pairs;
}

/** Where an interrupted run stopped: its log lines, and the kept records on disk whose log lines were lost. */
interface Resume {
  /** The log lines on disk (one per pair, in input order). */
  earlier: SynthesisLogLine[];
  /** Pairs kept among them. */
  keptEarlier: number;
  /** Kept records on disk past the logged pairs: the next ones produced are not appended again. */
  skipKept: number;
}

/** Reads what an interrupted run left in the two writers and checks it against the input (errors say how to recover). */
async function resumeOf(out: RecordWriter, log: RecordWriter, pairs: readonly PreferencePair[], where: string): Promise<Resume> {
  const earlier: SynthesisLogLine[] = [];
  for await (const r of log.earlierRecords()) earlier.push(r as SynthesisLogLine);
  const keptEarlier = earlier.reduce((k, l) => k + l.kept, 0);
  const skipKept = out.count - keptEarlier;
  if (skipKept < 0) throw new WorkError(`${where}: ${out.file}.partial has ${out.count} records but the log counts ${keptEarlier} kept pairs; delete the stage folder and re-run`);
  earlier.forEach((line, i) => {
    const pair = pairs[i];
    if (pair !== undefined && pair.id !== line.id) throw new WorkError(`${where}: the input changed since the interrupted run (pair ${i} was ${JSON.stringify(line.id)}, now ${JSON.stringify(pair.id)}); delete the stage folder and re-run`);
  });
  return { earlier, keptEarlier, skipKept };
}

/** The prover model and the Prover kind that opens it. */
interface ProverModel {
  /** The model folder. */
  modelPath: string;
  /** Its gramr.json, when it has one. */
  meta: ModelMeta | undefined;
  /** The Prover kind (gramr.json's, else sft-prover). */
  kind: string;
  /** That kind's implementation. */
  impl: Prover;
}

/** Running counters of the progress bar (the report's totals are folded once, at the end). */
class SynthesisProgress {
  private tokens = 0;
  private proved: number;
  private kept: number;
  private scoreSum = 0;
  private readonly started = Date.now();

  constructor(private readonly ctx: StageContext, private readonly total: number, earlier: readonly SynthesisLogLine[], private readonly keptEarlier: number) {
    this.proved = earlier.filter((l) => l.skipped === undefined).length;
    this.kept = keptEarlier;
  }

  /** Count one new log line. */
  add(line: SynthesisLogLine): void {
    this.tokens += line.tokens;
    if (line.skipped === undefined) this.proved++;
    if (line.best) { this.kept++; this.scoreSum += line.best.score; }
  }

  /** Report `done` pairs of the total. */
  update(done: number): void {
    const secs = (Date.now() - this.started) / 1000;
    this.ctx.progress.update({ done, total: this.total, unit: 'pairs', metrics: {
      kept: this.kept, keptRate: this.proved ? this.kept / this.proved : 0, tokensPerSecond: this.tokens / Math.max(secs, 1e-3),
      ...(this.kept > this.keptEarlier ? { meanScore: this.scoreSum / (this.kept - this.keptEarlier) } : {}),
    } });
  }
}

@injectable()
export class SynthesizeRationalesStage implements Stage<SynthesizeOptions> {
  readonly kind = 'synthesize-rationales';
  constructor(@inject(KindLookupId) private readonly lookup: KindLookup) {}

  inputs(o: SynthesizeOptions): string[] {
    return [o.from, o.prover];
  }
  outputs(o: SynthesizeOptions): OutputDecl[] {
    const n = names(o);
    return [{ name: o.to, kind: 'records' }, { name: n.log, kind: 'records' }, { name: n.report, kind: 'report' }];
  }

  async run(o: SynthesizeOptions, ctx: StageContext): Promise<StageResult> {
    const where = `stage "${ctx.stageId}" (synthesize-rationales)`;
    const prover = await this.proverOf(o, ctx, where);
    const synthesis = synthesisOf(o, ctx);
    const pairs = await readPairs(o, ctx, where);
    const out = await ctx.artifacts.recordWriter(o.to);
    const log = await ctx.artifacts.recordWriter(names(o).log);
    const resume = await resumeOf(out, log, pairs, where);
    if (resume.earlier.length) ctx.progress.log(`resuming after ${resume.earlier.length} pairs (${resume.keptEarlier} kept)`);
    const todo = pairs.slice(resume.earlier.length);
    const { session, queued } = await this.openSession(o, prover, synthesis, todo, ctx, where);
    let lines: SynthesisLogLine[];
    try {
      lines = await this.synthesize(todo, session, out, log, resume, new SynthesisProgress(ctx, pairs.length, resume.earlier, resume.keptEarlier), o, ctx, where);
    } finally {
      session.dispose();
    }
    return this.report(o, lines, { prover: o.prover, proverKind: prover.kind, ...synthesis }, resume.earlier.length, queued, ctx, where);
  }

  // The prover kind the model's gramr.json names (sft-prover without one); a model of another role is refused.
  private async proverOf(o: SynthesizeOptions, ctx: StageContext, where: string): Promise<ProverModel> {
    const modelPath = ctx.artifacts.modelPath(o.prover);
    const meta = await readModelMeta(modelPath);
    if (meta && meta.role !== 'prover') throw new WorkError(`${where}: model "${o.prover}" (${modelPath}) is a ${meta.role}, not a prover`);
    if (!meta) ctx.progress.log(`${modelPath} has no gramr.json; using sft-prover with default options`);
    const kind = meta?.prover?.kind ?? 'sft-prover';
    return { modelPath, meta, kind, impl: this.lookup.get<Prover>('Prover', kind, {}, `${where}: prover`).impl };
  }

  // The proof session: the prover in this process, or `prove` jobs for the pending labeled pairs with `executor: queue`.
  private async openSession(o: SynthesizeOptions, prover: ProverModel, synthesis: Record<string, unknown> & { seed: number },
    todo: readonly PreferencePair[], ctx: StageContext, where: string): Promise<{ session: ProofSession; queued?: { storedBefore: number; enqueued: number } }> {
    const q = queueOf(o.executor);
    if (!q) return { session: await prover.impl.open(prover.modelPath, prover.meta?.prover?.options ?? {}, synthesis, ctx) };
    const { queuedProofSession } = await import('../queue/queue-sessions.js');
    const requests = todo.flatMap((pair): ProofRequest[] => { const l = labelOf(pair); return l === 'A' || l === 'B' ? [{ pair, label: l }] : []; });
    const run = await queuedProofSession(q, prover.modelPath, synthesis, requests, where);
    ctx.progress.log(`proving through queue "${q.queue}": ${run.stats.storedBefore} of ${run.stats.total} pairs already stored, ${run.stats.enqueued} enqueued`);
    return { session: run, queued: run.stats };
  }

  // Proves `todo` in batches: each batch's kept records are flushed before its log lines (see the file header).
  // Returns every log line, the earlier run's first.
  private async synthesize(todo: readonly PreferencePair[], session: ProofSession, out: RecordWriter, log: RecordWriter, resume: Resume,
    progress: SynthesisProgress, o: SynthesizeOptions, ctx: StageContext, where: string): Promise<SynthesisLogLine[]> {
    const lines: SynthesisLogLine[] = [...resume.earlier];
    let skipKept = resume.skipKept;
    for (let s = 0; s < todo.length; s += o.batchSize) {
      ctx.signal.throwIfAborted();
      const done = await this.batch(todo.slice(s, s + o.batchSize), session.prove.bind(session), o.logProofs, ctx);
      for (const d of done) {
        if (!d.kept) continue;
        if (skipKept > 0) { skipKept--; continue; } // already on disk from the interrupted run
        await out.append(d.kept);
      }
      await out.flush();
      for (const { line } of done) { await log.append(line); lines.push(line); progress.add(line); }
      await log.flush();
      progress.update(lines.length);
    }
    if (skipKept > 0) throw new WorkError(`${where}: ${skipKept} kept record(s) on disk were not produced again on resume; delete the stage folder and re-run`);
    return lines;
  }

  // Writes report.json / report.md (warnings included) and returns the stage result; an empty output fails here,
  // after the report, not in the stage that needs it.
  private async report(o: SynthesizeOptions, lines: SynthesisLogLine[], settings: Record<string, unknown>, resumedAfter: number,
    queued: { storedBefore: number; enqueued: number } | undefined, ctx: StageContext, where: string): Promise<StageResult> {
    const totals = totalsOf(lines);
    const inputBalance = labelBalance(lines.flatMap((l) => (l.label === 'A' || l.label === 'B' ? [l.label as Label] : [])), `pairs of "${o.from}"`);
    const keptBalance = labelBalance(Array.from({ length: totals.keptLabels.A }, (): Label => 'A').concat(Array.from({ length: totals.keptLabels.B }, (): Label => 'B')), 'kept rationales');
    const warnings = [inputBalance.warning, keptBalance.warning].filter((w): w is string => w !== undefined);
    const empty = emptyOutputMessage(totals, o);
    if (empty) warnings.push(empty);
    for (const w of warnings) ctx.progress.log(`warning: ${w}`);
    const dir = ctx.artifacts.outputDir(names(o).report);
    await writeJsonAtomic(path.join(dir, 'report.json'), { totals, warnings, settings });
    await writeFileAtomic(path.join(dir, 'report.md'), renderSynthesisReport(totals, settings) + (warnings.length ? `\n## Warnings\n\n${warnings.map((w) => `- ${w}`).join('\n')}\n` : ''));
    if (empty) throw new WorkError(`${where}: ${empty}`);
    const dropped = Object.fromEntries(Object.entries(totals.dropped).map(([k, v]) => [`dropped.${k}`, v]));
    return {
      metrics: {
        pairs: totals.pairs, proved: totals.proved, kept: totals.kept, keptRate: totals.proved ? totals.kept / totals.proved : 0,
        candidates: totals.candidates, allCandidatesDropped: totals.allCandidatesDropped, resumedAfter,
        oneClassInput: inputBalance.oneClass ? 1 : 0, ...dropped, ...(queued ? { storedBefore: queued.storedBefore, enqueued: queued.enqueued } : {}), ...(totals.bestScore ? { medianScore: totals.bestScore.median, meanScore: totals.bestScore.mean } : {}),
      },
      summary: summaryOf(totals),
    };
  }

  // Proves the labeled pairs of a batch; unlabeled and tie pairs get a log line without work.
  private async batch(pairs: PreferencePair[], prove: (r: ProofRequest[], c: StageContext) => Promise<ProofResult[]>, withProofs: boolean, ctx: StageContext): Promise<Array<{ line: SynthesisLogLine; kept?: RationaleExample }>> {
    const requests: ProofRequest[] = [];
    const slots = pairs.map((pair) => {
      const l = labelOf(pair);
      if (l === 'A' || l === 'B') { requests.push({ pair, label: l }); return requests.length - 1; }
      return l;
    });
    const results = await prove(requests, ctx);
    return pairs.map((pair, i) => {
      const s = slots[i]!;
      if (typeof s !== 'number') {
        return { line: { id: pair.id, label: s, kept: 0, candidates: 0, tokens: 0, dropped: {}, scores: [], skipped: `${s}: the pair has no A/B label` } };
      }
      const r = results[s]!;
      const line = logLineOf(r, withProofs);
      return r.rationale !== undefined ? { line, kept: { ...pair, label: r.label, rationale: r.rationale } } : { line };
    });
  }
}
