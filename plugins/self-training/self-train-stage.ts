// Stage `self-train` (METHOD.md step 4): rounds of a SelfTrainingStrategy kind (default gram-r2), one unlabeled dataset
// per round, each merging with ALL earlier synthesized data. Labels (`label`, `meta.goldLabel`) are hidden from the
// strategy and only measure pseudo-label accuracy; each round's GRM is measured on `eval`. A finished round is committed
// as round-N/round.json (+ added.jsonl), so a rerun after a kill skips it and resumes the current one.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { linkOrCopy } from '../../core/io/link-file.js';
import * as path from 'node:path';
import { inject, injectable } from 'inversify';
import type { Label, PreferencePair, RationaleExample } from '../../core/data/records.js';
import { ConfigError, WorkError } from '../../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../core/io/atomic-write.js';
import { readJsonl } from '../../core/pipeline/record-writer.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import type { PseudoLabel, RoundReport, RoundResult, SelfTrainingStrategy } from '../../core/recipe/self-training-strategy.js';
import type { Evaluator } from '../../core/reward/evaluator.js';
import { splitKind, type KindLookup } from '../../core/di/kind-lookup.js';
import { initInputs, prepareInit } from '../../core/recipe/model-init.js';
import type { ExecutorContext } from '../queue/executor-options.js';
import { asPair, asRationaleExample } from '../../core/recipe/record-checks.js';
import { evaluateModel } from './evaluate-model.js';
import { hideLabels } from './gram-r2-round.js';
import { addGoldAccuracy, renderSelfTrainReport, selfTrainMetrics } from './round-report.js';
import { selfTrainNames, type SelfTrainOptions } from './self-train-options.js';
import { JudgeOpenerId, KindLookupId } from '../../core/di/identifiers.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';
import { readChecked } from '../../core/data/read-checked.js';

/** What a finished round leaves in round-N/round.json. */
interface RoundFile { grmPath: string; report: RoundReport; labels: PseudoLabel[] }

/** A finished round: its round.json (GRM path resolved) and its added examples. */
type FinishedRound = RoundFile & { added: RationaleExample[] };

/** Measures the GRM at `modelPath` on the stage's `eval` set (results cached in the stage folder under `cache`). */
type Measure = (modelPath: string, cache: string) => Promise<number | undefined>;

/** What the rounds leave for the stage's outputs. */
interface SelfTrainOutcome {
  /** The strategy kind and its parsed options. */
  kind: string;
  options: Record<string, unknown>;
  seed: number;
  /** The last round's GRM. */
  grmPath: string;
  /** All training data: the synthesized sets and every round's additions. */
  earlier: RationaleExample[];
  labelLines: Array<Record<string, unknown>>;
  reports: RoundReport[];
  initialCount: number;
  initialEvalAccuracy: number | undefined;
}

const inputsOf = (x: string | string[] | undefined): string[] => (x === undefined ? [] : typeof x === 'string' ? [x] : x);

/** The gold label of a pair, when it has one: `meta.goldLabel`, else its own `label` (both hidden from the strategy). */
export function goldLabelOf(pair: PreferencePair): Label | undefined {
  const g = pair.meta?.goldLabel;
  if (g === 'A' || g === 'B') return g;
  return pair.label === 'A' || pair.label === 'B' ? pair.label : undefined;
}

/** The `self-train` stage (see the file header). */
@injectable()
export class SelfTrainStage implements Stage<SelfTrainOptions> {
  readonly kind = 'self-train';
  constructor(@inject(KindLookupId) private readonly lookup: KindLookup, @inject(JudgeOpenerId) private readonly judges: JudgeOpener) {}

  inputs(o: SelfTrainOptions): string[] {
    return [o.grm, o.prover, ...o.rounds, ...inputsOf(o.synthesized), ...(o.eval ? [o.eval] : []), ...(o.backbone ? initInputs(o.backbone) : [])];
  }

  outputs(o: SelfTrainOptions): OutputDecl[] {
    const n = selfTrainNames(o);
    return [{ name: o.to, kind: 'model' }, { name: n.data, kind: 'records' }, { name: n.labels, kind: 'records' }, { name: n.report, kind: 'report' }];
  }

  async run(o: SelfTrainOptions, ctx: StageContext): Promise<StageResult> {
    const where = `stage "${ctx.stageId}" (self-train)`;
    const seed = o.seed ?? ctx.seed;
    const { s, strategy } = this.strategyFor(o, where);
    const backbonePath = o.backbone ? await prepareInit(o.backbone, ctx, seed, 'backbone') : undefined;
    const measure = await this.measurer(o, ctx, where);

    let earlier: RationaleExample[] = [];
    for (const name of inputsOf(o.synthesized)) earlier.push(...await readChecked(ctx.artifacts.records(name), asRationaleExample, `${where} ("${name}")`));
    const initialCount = earlier.length;
    let grmPath = ctx.artifacts.modelPath(o.grm);
    const initialEvalAccuracy = await measure(grmPath, 'eval-initial.json');
    const reports: RoundReport[] = [];
    const labelLines: Array<Record<string, unknown>> = [];

    // The strategy reads the executor from its context (RoundInputs is core's contract; executors are the queue plugin's).
    const roundCtx: StageContext & ExecutorContext = { ...ctx, seed, ...(o.executor ? { executor: o.executor } : {}) };
    for (const [i, dataset] of o.rounds.entries()) {
      const round = i + 1;
      const roundDir = path.join(ctx.dir, `round-${round}`);
      const pairs = await this.readRound(dataset, o.limit, earlier, `${where}: round ${round} ("${dataset}")`, ctx);
      const gold = new Map<string, Label>();
      for (const p of pairs) { const g = goldLabelOf(p); if (g) gold.set(p.id, g); }
      let done = await this.finished(roundDir);
      if (!done) {
        ctx.progress.log(`round ${round}: ${pairs.length} unlabeled pairs from "${dataset}"`);
        const result = await strategy.impl.round({
          round, grmPath, proverPath: ctx.artifacts.modelPath(o.prover), unlabeled: pairs.map(hideLabels), earlier, outDir: roundDir,
          ...(backbonePath ? { backbonePath } : {}),
        }, strategy.options, roundCtx);
        done = await this.commitRound(result, pairs, gold, round, `${where}: round ${round}`, ctx, measure, reports.at(-1)?.evalAccuracy ?? initialEvalAccuracy);
      }
      ctx.progress.log(`round ${round}: kept ${done.report.kept} of ${done.report.offered}${done.report.retrained ? `, retrained on ${done.report.trainExamples} examples` : ', not retrained'}`);
      grmPath = done.grmPath;
      earlier = [...earlier, ...done.added];
      reports.push(done.report);
      for (const l of done.labels) {
        const g = gold.get(l.id);
        labelLines.push({ round, dataset, ...l, ...(g ? { gold: g, correct: l.label === g } : {}) });
      }
    }
    return this.writeOutputs(o, ctx, { kind: s.kind, options: strategy.options as Record<string, unknown>, seed, grmPath, earlier, labelLines, reports, initialCount, initialEvalAccuracy });
  }

  // The strategy the options name, refused when it cannot run with the stage's backbone or executor settings.
  private strategyFor(o: SelfTrainOptions, where: string): { s: ReturnType<typeof splitKind>; strategy: { impl: SelfTrainingStrategy; options: unknown } } {
    const s = splitKind(o.strategy);
    const strategy = this.lookup.get<SelfTrainingStrategy>('SelfTrainingStrategy', s.kind, s.options, `${where}: strategy`);
    if ((strategy.options as { retrain?: string }).retrain === 'backbone' && o.backbone === undefined) {
      throw new ConfigError(`${where}: strategy ${s.kind} retrains from the backbone; set backbone: {from: <model>} or {scratch: {...}}, or strategy.retrain: continue`);
    }
    if (o.executor && o.executor.kind !== 'local' && !((strategy.impl as { executors?: readonly string[] }).executors ?? ['local']).includes(o.executor.kind)) {
      throw new ConfigError(`${where}: strategy ${s.kind} runs with executor local only; remove executor or set executor: {kind: local}`);
    }
    return { s, strategy };
  }

  // Measures a GRM's accuracy on `eval` (cached in the stage folder under `cache`); without `eval`, undefined.
  private async measurer(o: SelfTrainOptions, ctx: StageContext, where: string): Promise<Measure> {
    const evalSet = o.eval ? await ctx.artifacts.readAll(o.eval) : undefined;
    const e = splitKind(o.evaluator);
    const evaluator = evalSet ? this.lookup.get<Evaluator>('Evaluator', e.kind, e.options, `${where}: evaluator`) : undefined;
    return async (modelPath, cache) => {
      if (!evalSet || !evaluator) return undefined;
      const r = await evaluateModel(this.judges, modelPath, evalSet, evaluator, o.evalJudge, ctx, path.join(ctx.dir, cache));
      return r.metrics.accuracy;
    };
  }

  // Checks a fresh round's result, adds its gold and eval accuracy (carried over when not retrained) to its report,
  // and commits it as round-N/added.jsonl + round.json.
  private async commitRound(result: RoundResult, pairs: readonly PreferencePair[], gold: ReadonlyMap<string, Label>, round: number,
    where: string, ctx: StageContext, measure: Measure, carried: number | undefined): Promise<FinishedRound> {
    const roundDir = path.join(ctx.dir, `round-${round}`);
    this.check(result, pairs, where);
    addGoldAccuracy(result.report, result.labels, gold);
    const evalAccuracy = result.report.retrained ? await measure(result.grmPath, path.join(`round-${round}`, 'eval.json')) : carried;
    if (evalAccuracy !== undefined) result.report.evalAccuracy = evalAccuracy;
    if (!result.report.retrained && evalAccuracy !== undefined) result.report.notes.push('eval accuracy carried over: the GRM is unchanged');
    await writeFileAtomic(path.join(roundDir, 'added.jsonl'), result.added.map((r) => JSON.stringify(r) + '\n').join(''));
    const rel = path.relative(ctx.dir, result.grmPath);
    await writeJsonAtomic(path.join(roundDir, 'round.json'), { grmPath: rel.startsWith('..') || path.isAbsolute(rel) ? result.grmPath : rel, report: result.report, labels: result.labels });
    return { grmPath: result.grmPath, report: result.report, labels: result.labels, added: result.added };
  }

  // Outputs: the final GRM, the merged data, every decision, the report; and the stage's metrics and summary.
  private async writeOutputs(o: SelfTrainOptions, ctx: StageContext, r: SelfTrainOutcome): Promise<StageResult> {
    const { reports, earlier, initialCount, initialEvalAccuracy } = r;
    const out = ctx.artifacts.outputDir(o.to);
    for (const f of await readdir(r.grmPath, { withFileTypes: true })) if (f.isFile()) await linkOrCopy(path.join(r.grmPath, f.name), path.join(out, f.name));
    const n = selfTrainNames(o);
    await this.writeAll(n.data, earlier, ctx);
    await this.writeAll(n.labels, r.labelLines, ctx);
    const settings = { strategy: r.kind, ...r.options, seed: r.seed, backbone: o.backbone ?? 'none', initialData: initialCount };
    const dir = ctx.artifacts.outputDir(n.report);
    await writeJsonAtomic(path.join(dir, 'report.json'), { rounds: reports, initialEvalAccuracy, finalTrainExamples: earlier.length, settings });
    await writeFileAtomic(path.join(dir, 'report.md'), renderSelfTrainReport(reports, { initialEvalAccuracy, strategy: r.kind, settings: r.options, datasets: o.rounds }));
    const metrics: Record<string, number> = { ...selfTrainMetrics(reports, initialEvalAccuracy), initialData: initialCount, finalData: earlier.length };
    const empty = reports.filter((x) => !x.retrained).map((x) => x.round);
    return {
      metrics,
      summary: `${reports.length} rounds: kept ${reports.map((x) => x.kept).join(' / ')} of ${reports.map((x) => x.offered).join(' / ')} pairs; `
        + `training data ${initialCount} -> ${earlier.length}${empty.length ? `; round ${empty.join(', ')} kept nothing and did not retrain` : ''}`
        + `${metrics.evalAccuracy !== undefined ? `; eval accuracy ${initialEvalAccuracy !== undefined ? `${(100 * initialEvalAccuracy).toFixed(1)}% -> ` : ''}${(100 * metrics.evalAccuracy).toFixed(1)}%` : ''} -> ${o.to}`,
    };
  }

  // A round's pairs (checked; ids unique in the round and new to the training data).
  private async readRound(name: string, limit: number | undefined, earlier: readonly RationaleExample[], where: string, ctx: StageContext): Promise<PreferencePair[]> {
    const pairs = await readChecked(ctx.artifacts.records(name), asPair, where, limit);
    const seen = new Set<string>();
    const known = new Set(earlier.map((e) => e.id));
    for (const p of pairs) {
      if (seen.has(p.id)) throw new WorkError(`${where}: pair id ${JSON.stringify(p.id)} appears twice; ids must be unique (results are kept by pair id)`);
      if (known.has(p.id)) throw new WorkError(`${where}: pair id ${JSON.stringify(p.id)} is already in the training data (the synthesized set or an earlier round); give each round new pairs`);
      seen.add(p.id);
    }
    return pairs;
  }

  // A finished round's files, or undefined.
  private async finished(roundDir: string): Promise<FinishedRound | undefined> {
    const file = path.join(roundDir, 'round.json');
    if (!existsSync(file)) return undefined;
    const r = JSON.parse(await readFile(file, 'utf8')) as RoundFile;
    const added: RationaleExample[] = [];
    for await (const x of readJsonl(path.join(roundDir, 'added.jsonl'))) added.push(x as RationaleExample);
    return { ...r, grmPath: path.resolve(path.dirname(roundDir), r.grmPath), added };
  }

  private check(r: RoundResult, pairs: readonly PreferencePair[], where: string): void {
    if (r.labels.length !== pairs.length || r.labels.some((l, i) => l.id !== pairs[i]!.id)) {
      throw new WorkError(`${where}: the strategy returned ${r.labels.length} decisions for ${pairs.length} pairs (one per pair, in input order, is required)`);
    }
    const ids = new Set(pairs.map((p) => p.id));
    const bad = r.added.find((a) => !ids.has(a.id));
    if (bad) throw new WorkError(`${where}: the strategy added example ${JSON.stringify(bad.id)}, which is not one of the round's pairs`);
  }

  // Writes a records output, continuing after what an interrupted run left in the writer.
  private async writeAll(name: string, rows: readonly unknown[], ctx: StageContext): Promise<void> {
    const w = await ctx.artifacts.recordWriter(name);
    for (const [i, r] of rows.entries()) if (i >= w.count) await w.append(r);
    await w.flush();
  }
}
