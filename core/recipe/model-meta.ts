// `gramr.json`: what a model folder written by train-grm / train-prover records beside config.json, so later stages
// and judges know how to use it (objective, prompt format, chat, label tokens, whether EOS ends targets).
// Hugging Face tools ignore the file.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeJsonAtomic } from '../io/atomic-write.js';
import { WorkError } from '../errors.js';
import type { LabelTokens } from '../reward/judge-model.js';

/** The file name. */
export const MODEL_META_FILE = 'gramr.json';

/** The layout version written. */
export const MODEL_META_FORMAT = 'gramr-model/1';

/** What a model folder records. */
export interface ModelMeta {
  /** Layout version (`gramr-model/1`). */
  format: string;
  /** `grm` (a reward model), `prover` (a preference-proving model) or `base` (a language model from train-lm). */
  role: 'grm' | 'prover' | 'base';
  /** GRM objective: `rationale`, `label-only`, `gram-v1`, `bradley-terry`. */
  objective?: string;
  /** The prompt format of its inputs (a judge PromptFormat for GRMs; a prover prompt format for provers). */
  promptFormat: string;
  /** The chat mode its prompts were rendered with (`auto`, `template`, `plain`, `none`). */
  chat: string;
  /** The label texts (GRMs). */
  labelTokens?: LabelTokens;
  /** Whether training appended EOS to every target. */
  addEos: boolean;
  /** Prover kind and its options (provers). */
  prover?: { kind: string; options: Record<string, unknown> };
  /** How it was trained: trainer kind, steps, final loss, stop reason, start model. */
  training: { trainer: string; steps: number; finalLoss: number; stopReason: string; init: string; objectiveDetail?: Record<string, unknown> };
}

/** Writes `gramr.json` into `dir`. */
export async function writeModelMeta(dir: string, meta: ModelMeta): Promise<void> {
  await writeJsonAtomic(path.join(dir, MODEL_META_FILE), meta);
}

/** Reads `gramr.json` from a model folder (or the folder of a model file); undefined when there is none. */
export async function readModelMeta(modelPath: string): Promise<ModelMeta | undefined> {
  const file = path.join(path.extname(modelPath) === '' ? modelPath : path.dirname(modelPath), MODEL_META_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let meta: ModelMeta;
  try {
    meta = JSON.parse(text) as ModelMeta;
  } catch (e) {
    throw new WorkError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (meta.format !== MODEL_META_FORMAT) throw new WorkError(`${file}: format ${JSON.stringify(meta.format)} is not ${MODEL_META_FORMAT}`);
  if (!['grm', 'prover', 'base'].includes(meta.role)) throw new WorkError(`${file}: role ${JSON.stringify(meta.role)} must be "grm", "prover" or "base"`);
  return meta;
}
