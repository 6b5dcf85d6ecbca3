// Stage `adapt` (METHOD.md, "Task adaptation"): a foundation GRM + a small labeled task set + a TaskAdapter kind -> the
// adapted GRM (model artifact) and a report with the held-out metrics before and after. The stage measures; the adapter
// only adapts (so custom adapters get the same before/after numbers). The adapter works in <stage>/work, where a rerun
// after a kill finds its logs and checkpoints; the before/after evaluations are cached in the stage folder.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { linkOrCopy } from '../../core/io/link-file.js';
import * as path from 'node:path';
import { inject, injectable } from 'inversify';
import { isModelFolder } from '../../core/training/adapter-checkpoint.js';
import { WorkError } from '../../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../core/io/atomic-write.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import type { TaskAdapter } from '../../core/recipe/task-adapter.js';
import type { Evaluator } from '../../core/reward/evaluator.js';
import { splitKind, type KindLookup } from '../../core/di/kind-lookup.js';
import { MODEL_META_FILE, readModelMeta, writeModelMeta } from '../../core/recipe/model-meta.js';
import { asPair } from '../../core/recipe/record-checks.js';
import { evaluateModel, type EvalSummary } from '../self-training/evaluate-model.js';
import { type AdaptOptions } from './adapt-options.js';
import { JudgeOpenerId, KindLookupId } from '../../core/di/identifiers.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';
import { readChecked } from '../../core/data/read-checked.js';

const pct = (x: number | undefined): string => (x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);

/** The before/after table as markdown (rates as percentages). */
export function renderAdaptReport(kind: string, examples: number, before: EvalSummary | undefined, after: EvalSummary | undefined, adapterMetrics: Record<string, number>): string {
  const lines = ['# Task adaptation', '', `Adapter \`${kind}\` on ${examples} task pairs. Adapter numbers: ${Object.entries(adapterMetrics).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`).join(', ') || '–'}.`, ''];
  if (before && after) {
    lines.push('| metric | before | after | change |', '|---|---:|---:|---:|');
    for (const k of Object.keys(after.metrics)) {
      const b = before.metrics[k], a = after.metrics[k]!;
      lines.push(`| ${k} | ${pct(b)} | ${pct(a)} | ${b === undefined ? '–' : `${a - b >= 0 ? '+' : ''}${(100 * (a - b)).toFixed(1)}`} |`);
    }
  } else {
    lines.push('No held-out set (`eval`) was given, so nothing was measured before and after.');
  }
  return lines.join('\n') + '\n';
}

/** The `adapt` stage (see the file header). */
@injectable()
export class AdaptStage implements Stage<AdaptOptions> {
  readonly kind = 'adapt';
  constructor(@inject(KindLookupId) private readonly lookup: KindLookup, @inject(JudgeOpenerId) private readonly judges: JudgeOpener) {}

  inputs(o: AdaptOptions): string[] {
    return [o.model, o.from, ...(o.eval ? [o.eval] : []), ...(o.prover ? [o.prover] : [])];
  }

  outputs(o: AdaptOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'model' }, { name: o.report ?? `${o.to}-report`, kind: 'report' }];
  }

  async run(o: AdaptOptions, ctx: StageContext): Promise<StageResult> {
    const where = `stage "${ctx.stageId}" (adapt)`;
    const seed = o.seed ?? ctx.seed;
    const a = splitKind(o.adapter);
    const adapter = this.lookup.get<TaskAdapter>('TaskAdapter', a.kind, a.options, `${where}: adapter`);
    const modelPath = ctx.artifacts.modelPath(o.model);
    const examples = await readChecked(ctx.artifacts.records(o.from), asPair, `${where} ("${o.from}")`, o.limit);
    if (examples.length === 0) throw new WorkError(`${where}: "${o.from}" has no pairs to adapt on`);
    const evalSet = o.eval ? await ctx.artifacts.readAll(o.eval) : undefined;
    const e = splitKind(o.evaluator);
    const evaluator = evalSet ? this.lookup.get<Evaluator>('Evaluator', e.kind, e.options, `${where}: evaluator`) : undefined;
    const measure = async (p: string, cache: string): Promise<EvalSummary | undefined> =>
      (evalSet && evaluator ? evaluateModel(this.judges, p, evalSet, evaluator, o.evalJudge, ctx, path.join(ctx.dir, cache)) : undefined);

    const before = await measure(modelPath, 'eval-before.json');
    const result = await adapter.impl.adapt({
      modelPath, examples, outDir: path.join(ctx.dir, 'work'), ...(o.prover ? { proverPath: ctx.artifacts.modelPath(o.prover) } : {}),
    }, adapter.options, { ...ctx, seed });
    if (!isModelFolder(result.modelPath)) {
      throw new WorkError(`${where}: adapter ${a.kind} returned ${result.modelPath}, which is not a loadable model (no config.json, nor a LoRA adapter_config.json with its base)`);
    }
    const out = ctx.artifacts.outputDir(o.to);
    for (const f of await readdir(result.modelPath, { withFileTypes: true })) if (f.isFile()) await linkOrCopy(path.join(result.modelPath, f.name), path.join(out, f.name));
    const baseMeta = await readModelMeta(modelPath);
    if (!existsSync(path.join(out, MODEL_META_FILE)) && baseMeta) {
      await writeModelMeta(out, { ...baseMeta, training: { ...baseMeta.training, init: `adapt:${a.kind} (${baseMeta.training.init})` } });
    }
    const after = await measure(out, 'eval-after.json');

    const reportDir = ctx.artifacts.outputDir(o.report ?? `${o.to}-report`);
    await writeJsonAtomic(path.join(reportDir, 'report.json'), { adapter: a.kind, options: adapter.options, examples: examples.length, adapterMetrics: result.metrics, before, after });
    await writeFileAtomic(path.join(reportDir, 'report.md'), renderAdaptReport(a.kind, examples.length, before, after, result.metrics));
    const metrics: Record<string, number> = { examples: examples.length };
    for (const [k, v] of Object.entries(result.metrics)) metrics[`adapter.${k}`] = v;
    for (const [k, v] of Object.entries(before?.metrics ?? {})) metrics[`before.${k}`] = v;
    for (const [k, v] of Object.entries(after?.metrics ?? {})) metrics[`after.${k}`] = v;
    const acc = before?.metrics.accuracy !== undefined && after?.metrics.accuracy !== undefined ? [before.metrics.accuracy, after.metrics.accuracy] as const : undefined;
    return {
      metrics,
      summary: `adapted ${o.model} with ${a.kind} on ${examples.length} pairs${acc ? `: held-out accuracy ${pct(acc[0])} -> ${pct(acc[1])}` : ''} -> ${o.to}`,
    };
  }
}
