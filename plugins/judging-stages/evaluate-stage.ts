// Stage `evaluate`: a model + dataset(s) + an Evaluator kind -> a report folder (report.md, report.json, and
// pairs.jsonl or sets.jsonl: per-pair / per-set outcomes for paired statistics) and a judgments records artifact. The model is judged as evaluate-judge.ts picks: by its train-grm objective when its
// folder has gramr.json, else as a generative judge with the stage's PairJudge options. Resumable: every judged
// pair goes through the stage's RecordWriter (judgment-log.ts), so an interrupted evaluation continues where it stopped.
import { inject, injectable } from 'inversify';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../core/io/atomic-write.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import type { Evaluator } from '../../core/reward/evaluator.js';
import { JudgmentLog } from './judgment-log.js';
import { type KindLookup } from '../../core/di/kind-lookup.js';
import { openEvaluateJudge } from './evaluate-judge.js';
import { readInputs } from './open-judge.js';
import { inputsOf, type EvaluateOptions } from './options.js';
import { JudgeOpenerId, KindLookupId } from '../../core/di/identifiers.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';

/** The judgments artifact's name. */
export function judgmentsName(o: Pick<EvaluateOptions, 'to' | 'judgments'>): string {
  return o.judgments ?? `${o.to}-judgments`;
}

/** The prompts file's artifact name: every rendered prompt of the judgments log, once. */
export function promptsName(o: Pick<EvaluateOptions, 'to' | 'judgments'>): string {
  return `${judgmentsName(o)}-prompts`;
}

/** The `evaluate` stage. */
@injectable()
export class EvaluateStage implements Stage<EvaluateOptions> {
  readonly kind = 'evaluate';

  constructor(@inject(KindLookupId) private readonly lookup: KindLookup, @inject(JudgeOpenerId) private readonly judges: JudgeOpener) {}

  inputs(o: EvaluateOptions): string[] {
    return [o.model, ...inputsOf(o.from)];
  }

  outputs(o: EvaluateOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'report' }, { name: judgmentsName(o), kind: 'records' }, { name: promptsName(o), kind: 'records' }];
  }

  async run(o: EvaluateOptions, ctx: StageContext): Promise<StageResult> {
    const where = `stage "${ctx.stageId}" (evaluate): evaluator`;
    const { kind, ...rawOptions } = o.evaluator;
    const { impl: evaluator, options } = this.lookup.get<Evaluator>('Evaluator', kind, rawOptions, where);
    const records = await readInputs(o.from, o.limit, ctx);
    const log = await JudgmentLog.open(await ctx.artifacts.recordWriter(judgmentsName(o)), await ctx.artifacts.recordWriter(promptsName(o)));
    if (log.resumed > 0) ctx.progress.log(`resuming: ${log.resumed} judged pairs from the interrupted run`);
    const judge = await openEvaluateJudge(this.judges, o, ctx);
    try {
      const t0 = performance.now();
      const report = await evaluator.evaluate(records, log.judge(judge.inner), options, ctx);
      const seconds = (performance.now() - t0) / 1000;
      const run = {
        model: o.model, modelPath: ctx.artifacts.modelPath(o.model), inputs: inputsOf(o.from), records: records.length, evaluator: kind,
        evaluatorOptions: options, ...judge.run, judgedPairs: log.judged, resumedPairs: log.resumed,
        seconds: Number(seconds.toFixed(3)), generatedTokens: judge.generatedTokens(),
      };
      const dir = ctx.artifacts.outputDir(o.to);
      await writeJsonAtomic(path.join(dir, 'report.json'), { metrics: report.metrics, counts: report.counts, tables: report.tables, notes: report.notes, run });
      // Per-pair / per-set outcomes: the report pairs two models on the same pairs from these (paired statistics).
      if (report.pairs) await writeFileAtomic(path.join(dir, 'pairs.jsonl'), report.pairs.map((p) => `${JSON.stringify(p)}\n`).join(''));
      if (report.sets) await writeFileAtomic(path.join(dir, 'sets.jsonl'), report.sets.map((p) => `${JSON.stringify(p)}\n`).join(''));
      await writeFileAtomic(path.join(dir, 'report.md'), `${report.markdown.trimEnd()}\n\n_Model ${o.model} (${judge.note}); `
        + `${records.length} records from ${inputsOf(o.from).join(', ')}; evaluator ${kind}; ${log.judged} pairs judged`
        + `${log.resumed ? `, ${log.resumed} resumed from an interrupted run` : ''}._\n`);
      const headline = ['overall', 'accuracy', 'pairAccuracy'].find((k) => report.metrics[k] !== undefined);
      return {
        metrics: { ...report.metrics, records: records.length, judgedPairs: log.judged, resumedPairs: log.resumed },
        summary: `${kind} on ${records.length} records${headline ? `: ${headline} ${(100 * report.metrics[headline]!).toFixed(1)}%` : ''}`
          + `${log.resumed ? ` (resumed after ${log.resumed} pairs)` : ''}`,
      };
    } finally {
      judge.dispose();
    }
  }
}
