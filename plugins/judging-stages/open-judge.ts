// Opens a stage's judge through the JudgeOpener on the pipeline's backend (the runner owns the backend; the caller
// disposes the judge) and reads a stage's inputs with the per-input limit.
import * as path from 'node:path';
import type { DataRecord } from '../../core/data/records.js';
import type { StageContext } from '../../core/pipeline/stage.js';
import type { ChatMode } from '../../core/reward/chat-renderer.js';
import type { JudgeOpener, OpenedJudge, OpenJudgeOptions } from '../../core/reward/judge-opener.js';
import { inputsOf } from './options.js';

/** The options a stage opens its model with. */
export interface ModelStageOptions {
  /** Model artifact name. */
  model: string;
  /** Tokenizer path relative to the pipeline file, when given. */
  tokenizer?: string | undefined;
  /** How judge prompts are wrapped. */
  chat: ChatMode;
  /** Extra chat-template variables. */
  chatVariables?: Record<string, unknown> | undefined;
  /** Rows per model call. */
  batchSize: number;
}

/** Open the stage's model (tokenizer relative to the pipeline file) as a judge with the PairJudge options `judge`. */
export async function openStageJudge(judges: JudgeOpener, o: ModelStageOptions, judge: OpenJudgeOptions['judge'], ctx: StageContext): Promise<OpenedJudge> {
  const backend = await ctx.backend();
  return judges.open({ path: ctx.artifacts.modelPath(o.model), backend }, {
    batchSize: o.batchSize, chat: o.chat, judge,
    ...(o.chatVariables !== undefined ? { chatVariables: o.chatVariables } : {}),
    ...(o.tokenizer !== undefined ? { tokenizer: path.resolve(ctx.baseDir, o.tokenizer) } : {}),
  });
}

/** All records of the stage's inputs, in order, at most `limit` from each. */
export async function readInputs(from: string | string[], limit: number | undefined, ctx: StageContext): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for (const name of inputsOf(from)) {
    let n = 0;
    for await (const r of ctx.artifacts.records(name)) {
      if (limit !== undefined && n >= limit) break;
      out.push(r);
      n++;
    }
  }
  return out;
}
