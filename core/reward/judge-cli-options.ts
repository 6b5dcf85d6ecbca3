// The judge options `gramr judge`, `gramr eval` and `gramr rank` share: parseArgs specs, help lines, and their
// parsing into PairJudge and ModelJudge options (a bad value is a ConfigError naming the option: exit 2), plus
// opening the judge on the chosen backend through the JudgeOpener.
import { ConfigError } from '../errors.js';
import { enumOption, intOption, numberOption, requiredString } from '../command/option-values.js';
import { BACKEND_HELP } from '../pipeline/backend-choice.js';
import type { ComputeBackend } from '../tensor/backend.js';
import { CHAT_MODES, type ChatMode } from './chat-renderer.js';
import type { JudgeOpener, OpenedJudge } from './judge-opener.js';
import type { ModelJudge } from './model-judge.js';
import type { PairJudgeOptionsInput } from './pair-judge-options.js';
import type { PositionMode } from './position.js';
import { PROMPT_FORMATS } from './prompts.js';

/** parseArgs specs of the shared options. */
export const JUDGE_CLI_OPTIONS = {
  model: { type: 'string' }, tokenizer: { type: 'string' }, backend: { type: 'string' },
  format: { type: 'string' }, chat: { type: 'string' }, votes: { type: 'string' }, swap: { type: 'string' },
  temperature: { type: 'string' }, 'top-p': { type: 'string' }, 'top-k': { type: 'string' },
  'max-tokens': { type: 'string' }, seed: { type: 'string' }, labels: { type: 'string' }, batch: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Help lines of the shared options. */
export const JUDGE_CLI_HELP: Record<string, string> = {
  model: 'checkpoint: a Hugging Face folder, a llama2.c .bin, or a Hub id owner/name[@rev] (required)',
  tokenizer: 'tokenizer.json folder, tok*.bin or a Hub id (default: the one beside the model)',
  backend: BACKEND_HELP,
  format: 'gram-r2 (rationale, then <answer>; default), gram-v1 (label logits after "#Preferred: ") or compact (short prompt, answered like gram-r2)',
  chat: 'auto (the model\'s chat template, else the plain one; default), template, plain, none',
  votes: 'voting@k: samples per order (needs --temperature > 0)',
  swap: 'position handling: none, random, both (default none; eval: both)',
  temperature: 'sampling temperature (default 0 = greedy)',
  'top-p': 'nucleus sampling mass in (0, 1]', 'top-k': 'sample from the k most likely tokens',
  'max-tokens': 'most generated tokens per judgment (default min(2048, half the context))',
  seed: 'seed of sampling and random swaps (default 0)',
  labels: 'label token texts as "A,B" (default A,B; e.g. " A, B" with leading spaces)',
  batch: 'rows per model call (default 8)',
  json: 'print JSON',
};

/** The parsed shared options. */
export interface JudgeCliSettings {
  /** Checkpoint path. */
  modelPath: string;
  /** Tokenizer path, when given. */
  tokenizer: string | undefined;
  /** The --backend value (a backend or a preference list); undefined: the default list. */
  backend: string | undefined;
  /** PairJudge options (maxTokens filled in once the model's context is known: see `pairJudgeOptions`). */
  judge: PairJudgeOptionsInput;
  /** Position mode from --swap; undefined when not given (each command has its default). */
  swap: PositionMode | undefined;
  /** Chat mode. */
  chat: ChatMode;
  /** Rows per model call. */
  batch: number;
  /** Seed. */
  seed: number;
  /** Whether --json was given. */
  json: boolean;
}

/** Parse the shared options (ConfigError on a bad value). */
export function judgeCliSettings(values: Record<string, unknown>, where: string): JudgeCliSettings {
  const judge: PairJudgeOptionsInput = {};
  judge.format = enumOption(values, 'format', where, PROMPT_FORMATS, 'gram-r2');
  const votes = intOption(values, 'votes', where, 1);
  const temperature = numberOption(values, 'temperature', where, (x) => Number.isFinite(x) && x >= 0, 'a number >= 0');
  const topP = numberOption(values, 'top-p', where, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  const topK = intOption(values, 'top-k', where, 1);
  const maxTokens = intOption(values, 'max-tokens', where, 1);
  if (votes !== undefined) judge.votes = votes;
  if (temperature !== undefined) judge.temperature = temperature;
  if (topP !== undefined) judge.topP = topP;
  if (topK !== undefined) judge.topK = topK;
  if (maxTokens !== undefined) judge.maxTokens = maxTokens;
  if (values.labels !== undefined) {
    const parts = String(values.labels).split(',');
    if (parts.length !== 2 || parts.some((p) => p.trim() === '')) throw new ConfigError(`--labels must be two label texts separated by a comma, e.g. "A,B", got "${String(values.labels)}"`, where);
    judge.labelTokens = { A: parts[0]!, B: parts[1]! };
  }
  const swap = values.swap === undefined ? undefined : enumOption(values, 'swap', where, ['none', 'random', 'both'] as const, 'none');
  judge.position = swap ?? 'none';
  return {
    modelPath: requiredString(values, 'model', where),
    tokenizer: typeof values.tokenizer === 'string' ? values.tokenizer : undefined,
    backend: typeof values.backend === 'string' ? values.backend : undefined,
    judge, swap,
    chat: enumOption(values, 'chat', where, CHAT_MODES, 'auto'),
    batch: intOption(values, 'batch', where, 1) ?? 8,
    seed: intOption(values, 'seed', where, 0) ?? 0,
    json: values.json === true,
  };
}

/** The PairJudge options for `model`: --max-tokens, or min(2048, half the model's context) when not given. */
export function pairJudgeOptions(s: JudgeCliSettings, model: ModelJudge): PairJudgeOptionsInput {
  return s.judge.maxTokens !== undefined ? s.judge : { ...s.judge, maxTokens: Math.max(1, Math.min(2048, Math.floor(model.contextLength / 2))) };
}

/**
 * Open the model of `s` on `backend` through `judges` with the PairJudge options of `s` (`pairJudgeOptions`);
 * `position` overrides --swap (eval and rank let the evaluator or ranker decide the orders). The caller disposes it.
 */
export function openCliJudge(judges: JudgeOpener, s: JudgeCliSettings, backend: ComputeBackend, position?: PositionMode): Promise<OpenedJudge> {
  return judges.open({ path: s.modelPath, backend }, {
    batchSize: s.batch, chat: s.chat, ...(s.tokenizer !== undefined ? { tokenizer: s.tokenizer } : {}),
    judge: (model) => ({ ...pairJudgeOptions(s, model), ...(position !== undefined ? { position } : {}) }),
  });
}
