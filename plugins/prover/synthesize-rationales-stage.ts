// Stage `synthesize-rationales` (METHOD.md recipe step 2): labeled pairs + a prover -> RationaleExample records (the
// kept ones), a per-pair log and a report (kept / dropped-by-rule counts, score statistics). Pairs are processed in
// input order in batches; each batch's kept records are flushed before its log lines, so after a kill the log says
// how far the run got and the rerun continues after it, skipping kept records already on disk: the final files
// are identical to an uninterrupted run (each pair samples from a seed derived from its id). With `executor: queue`
// the proving runs in `gramr work` processes (the queue plugin's `prove` jobs, all enqueued up front) and the stage
// writes their results in the same order through the same code, so the files equal those of a local run.
import { inject, injectable } from 'inversify';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { Label, PreferencePair, RationaleExample } from '../../core/data/records.js';
import { WorkError } from '../../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../core/io/atomic-write.js';
import { readJsonl, type RecordWriter } from '../../core/pipeline/record-writer.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import type { ProofRequest, ProofResult, ProofSession, Prover } from '../../core/recipe/prover.js';
import type { KindLookup } from '../../core/di/kind-lookup.js';
import { readModelMeta } from '../grm/model-meta.js';
import { executorSchema, queueOf } from '../queue/executor-options.js';
import { asPair, labelBalance, labelOf } from '../grm/record-checks.js';
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

/** The complete lines an interrupted run left in a writer's partial file (the writer has already cut a torn line). */
async function linesOnDisk<T>(w: RecordWriter): Promise<T[]> {
  const file = `${w.file}.partial`;
  const out: T[] = [];
  if (w.count === 0 || !existsSync(file)) return out;
  for await (const r of readJsonl(file)) { if (out.length >= w.count) break; out.push(r as T); }
  return out;
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
    const n = names(o);
    const modelPath = ctx.artifacts.modelPath(o.prover);
    const meta = await readModelMeta(modelPath);
    if (meta && meta.role !== 'prover') throw new WorkError(`${where}: model "${o.prover}" (${modelPath}) is a ${meta.role}, not a prover`);
    if (!meta) ctx.progress.log(`${modelPath} has no gramr.json; using sft-prover with default options`);
    const kind = meta?.prover?.kind ?? 'sft-prover';
    const prover = this.lookup.get<Prover>('Prover', kind, {}, `${where}: prover`).impl;
    const { from, to, batchSize, limit } = o;
    const synthesis = Object.fromEntries(Object.keys(synthesisSchema.shape).flatMap((k) => (o[k as keyof SynthesizeOptions] !== undefined ? [[k, o[k as keyof SynthesizeOptions]]] : []))) as { seed?: number } & Record<string, unknown>;
    const total = await this.count(from, limit, ctx);

    const out = await ctx.artifacts.recordWriter(to);
    const log = await ctx.artifacts.recordWriter(n.log);
    const earlier = await linesOnDisk<SynthesisLogLine>(log);
    const keptEarlier = earlier.reduce((k, l) => k + l.kept, 0);
    let skipKept = out.count - keptEarlier; // kept records of pairs whose log lines never reached the disk
    if (skipKept < 0) throw new WorkError(`${where}: ${out.file}.partial has ${out.count} records but the log counts ${keptEarlier} kept pairs; delete the stage folder and re-run`);
    const lines: SynthesisLogLine[] = [...earlier];
    if (earlier.length) ctx.progress.log(`resuming after ${earlier.length} pairs (${keptEarlier} kept)`);

    const q = queueOf(o.executor);
    let session: ProofSession;
    let queued: { storedBefore: number; enqueued: number } | undefined;
    if (q) {
      const { queuedProofSession } = await import('../queue/queue-sessions.js');
      const run = await queuedProofSession(q, modelPath, { ...synthesis, seed: synthesis.seed ?? ctx.seed }, await this.pending(from, limit, earlier.length, where, ctx), where);
      queued = run.stats;
      ctx.progress.log(`proving through queue "${q.queue}": ${run.stats.storedBefore} of ${run.stats.total} pairs already stored, ${run.stats.enqueued} enqueued`);
      session = run;
    } else {
      session = await prover.open(modelPath, meta?.prover?.options ?? {}, { ...synthesis, seed: synthesis.seed ?? ctx.seed }, ctx);
    }
    const started = Date.now();
    // Running counters for progress (the totals are folded once, at the end).
    let tokens = 0, proved = earlier.filter((l) => l.skipped === undefined).length, kept = keptEarlier, scoreSum = 0;
    try {
      let index = 0;
      let batch: PreferencePair[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const done = await this.batch(batch, session.prove.bind(session), o.logProofs, ctx);
        for (const d of done) {
          if (!d.kept) continue;
          if (skipKept > 0) { skipKept--; continue; } // already on disk from the interrupted run
          await out.append(d.kept);
        }
        await out.flush();
        for (const { line } of done) {
          await log.append(line);
          lines.push(line);
          tokens += line.tokens;
          if (line.skipped === undefined) proved++;
          if (line.best) { kept++; scoreSum += line.best.score; }
        }
        await log.flush();
        batch = [];
        const secs = (Date.now() - started) / 1000;
        ctx.progress.update({ done: lines.length, total, unit: 'pairs', metrics: {
          kept, keptRate: proved ? kept / proved : 0, tokensPerSecond: tokens / Math.max(secs, 1e-3), ...(kept > keptEarlier ? { meanScore: scoreSum / (kept - keptEarlier) } : {}),
        } });
      };
      for await (const r of ctx.artifacts.records(from)) {
        if (limit !== undefined && index >= limit) break;
        const pair = asPair(r, index, `${where} ("${from}")`);
        if (index++ < earlier.length) {
          if (earlier[index - 1]!.id !== pair.id) throw new WorkError(`${where}: the input changed since the interrupted run (pair ${index - 1} was ${JSON.stringify(earlier[index - 1]!.id)}, now ${JSON.stringify(pair.id)}); delete the stage folder and re-run`);
          continue;
        }
        ctx.signal.throwIfAborted();
        batch.push(pair);
        if (batch.length >= batchSize) await flush();
      }
      await flush();
    } finally {
      session.dispose();
    }
    if (skipKept > 0) throw new WorkError(`${where}: ${skipKept} kept record(s) on disk were not produced again on resume; delete the stage folder and re-run`);

    const totals = totalsOf(lines);
    const inputBalance = labelBalance(lines.flatMap((l) => (l.label === 'A' || l.label === 'B' ? [l.label as Label] : [])), `pairs of "${from}"`);
    const keptBalance = labelBalance(Array.from({ length: totals.keptLabels.A }, (): Label => 'A').concat(Array.from({ length: totals.keptLabels.B }, (): Label => 'B')), 'kept rationales');
    const warnings = [inputBalance.warning, keptBalance.warning].filter((w): w is string => w !== undefined);
    const empty = emptyOutputMessage(totals, o);
    if (empty) warnings.push(empty);
    for (const w of warnings) ctx.progress.log(`warning: ${w}`);
    const dir = ctx.artifacts.outputDir(n.report);
    const settings = { prover: o.prover, proverKind: kind, ...synthesis, seed: synthesis.seed ?? ctx.seed };
    await writeJsonAtomic(path.join(dir, 'report.json'), { totals, warnings, settings });
    await writeFileAtomic(path.join(dir, 'report.md'), renderSynthesisReport(totals, settings) + (warnings.length ? `\n## Warnings\n\n${warnings.map((w) => `- ${w}`).join('\n')}\n` : ''));
    // The report stays for inspection; an empty output fails here, not in the stage that needs it.
    if (empty) throw new WorkError(`${where}: ${empty}`);
    const dropped = Object.fromEntries(Object.entries(totals.dropped).map(([k, v]) => [`dropped.${k}`, v]));
    return {
      metrics: {
        pairs: totals.pairs, proved: totals.proved, kept: totals.kept, keptRate: totals.proved ? totals.kept / totals.proved : 0,
        candidates: totals.candidates, allCandidatesDropped: totals.allCandidatesDropped, resumedAfter: earlier.length,
        oneClassInput: inputBalance.oneClass ? 1 : 0, ...dropped, ...(queued ? { storedBefore: queued.storedBefore, enqueued: queued.enqueued } : {}), ...(totals.bestScore ? { medianScore: totals.bestScore.median, meanScore: totals.bestScore.mean } : {}),
      },
      summary: summaryOf(totals),
    };
  }

  // The proof requests of the pairs after the first `skip` (those an interrupted run already logged).
  private async pending(from: string, limit: number | undefined, skip: number, where: string, ctx: StageContext): Promise<ProofRequest[]> {
    const out: ProofRequest[] = [];
    let index = 0;
    for await (const r of ctx.artifacts.records(from)) {
      if (limit !== undefined && index >= limit) break;
      const pair = asPair(r, index, `${where} ("${from}")`);
      if (index++ < skip) continue;
      const l = labelOf(pair);
      if (l === 'A' || l === 'B') out.push({ pair, label: l });
    }
    return out;
  }

  private async count(from: string, limit: number | undefined, ctx: StageContext): Promise<number> {
    let n = 0;
    for await (const _ of ctx.artifacts.records(from)) { if (limit !== undefined && n >= limit) break; n++; }
    return n;
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
