// Opens a stage's model as a ModelJudge on the pipeline's backend (the runner owns the backend; the caller disposes
// the model) and reads a stage's inputs with the per-input limit.
import * as path from 'node:path';
import type { DataRecord } from '../../core/data/records.js';
import type { StageContext } from '../../core/pipeline/stage.js';
import type { ChatMode } from '../../core/reward/chat-renderer.js';
import { ModelJudge } from '../../core/reward/model-judge.js';
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

/** Load the stage's model (tokenizer relative to the pipeline file) as a ModelJudge. */
export async function openStageJudge(o: ModelStageOptions, ctx: StageContext): Promise<ModelJudge> {
  const backend = await ctx.backend();
  return ModelJudge.load(ctx.artifacts.modelPath(o.model), backend, {
    batchSize: o.batchSize, chat: o.chat,
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
