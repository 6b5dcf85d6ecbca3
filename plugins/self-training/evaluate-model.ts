// Measuring a GRM on labeled pairs with an Evaluator kind (default `pairwise`): the model is judged greedily through
// judgeForModel (its gramr.json decides how), and the evaluator computes the report. Shared by `self-train` (each
// round's GRM) and `adapt` (before and after). Results are cached in a JSON file so a resumed stage does not redo them.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { DataRecord } from '../../core/data/records.js';
import { writeJsonAtomic } from '../../core/io/atomic-write.js';
import type { TrainerContext } from '../../core/recipe/trainer.js';
import type { EvalReport, Evaluator } from '../../core/reward/evaluator.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';
import { judgeForModel } from '../grm/judge-for-model.js';

/** How a model is judged for measurement. */
export interface EvalJudgeOptions {
  /** Most tokens written per judgment (default: judgeForModel's, capped at half the context). */
  maxTokens?: number;
  /** Rows per model call. */
  batchSize: number;
}

/** The measured numbers kept for a report. */
export interface EvalSummary {
  /** The evaluator's headline numbers (accuracy, pairAccuracy, noAnswerRate, ...). */
  metrics: Record<string, number>;
  /** Counts behind them. */
  counts: Record<string, number>;
}

/** Judges the model at `modelPath` (opened by `judges`) on `records` with `evaluator` (cached in `cacheFile` when given). */
export async function evaluateModel(judges: JudgeOpener, modelPath: string, records: DataRecord[], evaluator: { impl: Evaluator; options: unknown },
  judge: EvalJudgeOptions, ctx: TrainerContext, cacheFile?: string): Promise<EvalSummary> {
  if (cacheFile && existsSync(cacheFile)) return JSON.parse(await readFile(cacheFile, 'utf8')) as EvalSummary;
  const j = await judgeForModel(judges, modelPath, await ctx.backend(), { batchSize: judge.batchSize, ...(judge.maxTokens !== undefined ? { maxTokens: judge.maxTokens } : {}) });
  let report: EvalReport;
  try {
    report = await evaluator.impl.evaluate(records, j, evaluator.options, ctx);
  } finally {
    j.dispose();
  }
  const summary: EvalSummary = { metrics: report.metrics, counts: report.counts };
  if (cacheFile) await writeJsonAtomic(cacheFile, summary);
  return summary;
}
