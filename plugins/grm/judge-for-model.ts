// judgeForModel: an evaluator Judge for any model train-grm wrote, picked by the objective its gramr.json records —
// `rationale` / `label-only`: generation + parsing (PairJudge over a ModelJudge, the recorded prompt format);
// `gram-v1`: the two label logits right after the prompt; `bradley-terry`: r(prompt, a) vs r(prompt, b) from the
// scalar head, confidence σ(|r_a − r_b|). A folder without gramr.json is judged as a `rationale` model.
// Relies on core/reward (ModelJudge, PairJudge, prompts) and core/training's reward head scorer.
import type { CausalLM } from '../../core/model/causal-lm.js';
import type { Judge, JudgeOutcome } from '../../core/reward/evaluator.js';
import type { LabelTokens } from '../../core/reward/judge-model.js';
import { chatRendererFor, type ChatMode } from '../../core/reward/chat-renderer.js';
import { ModelJudge } from '../../core/reward/model-judge.js';
import { PairJudge } from '../../core/reward/pair-judge.js';
import { renderJudgePrompt, type PromptFormat } from '../../core/reward/prompts.js';
import { labelProbs } from '../../core/reward/scores.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { loadRewardHead, scoreResponses } from '../../core/training/reward-head.js';
import { ConfigError } from '../../core/errors.js';
import { rewardPrompt, type GrmObjective } from './grm-targets.js';
import { readModelMeta, type ModelMeta } from './model-meta.js';

/** Options of judgeForModel (all optional; the model folder's gramr.json supplies format, chat and label tokens). */
export interface GrmJudgeOptions {
  /** Rows per model call (default 8). */
  batchSize?: number;
  /** Generative objectives: most generated tokens (default: 256 for rationale, 32 for label-only, capped at half the context). */
  maxTokens?: number;
  /** Generative objectives: sampling temperature (default 0, greedy). */
  temperature?: number;
  /** Generative objectives: voting@k (needs temperature > 0). */
  votes?: number;
  /** Override the recorded prompt format. */
  format?: PromptFormat;
  /** Override the recorded chat mode. */
  chat?: ChatMode;
  /** Override the recorded label tokens. */
  labelTokens?: LabelTokens;
}

/** A Judge that owns a loaded model: call `dispose` when done. */
export type GrmJudge = Judge & {
  /** The objective the judge uses. */
  readonly objective: GrmObjective;
  /** What the model folder recorded (undefined for a folder without gramr.json). */
  readonly meta: ModelMeta | undefined;
  /** Frees the model. */
  dispose(): void;
};

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Loads the model at `modelPath` on `backend` and returns the Judge its objective calls for. */
export async function judgeForModel(modelPath: string, backend: ComputeBackend, options: GrmJudgeOptions = {}): Promise<GrmJudge> {
  const meta = await readModelMeta(modelPath);
  if (meta && meta.role !== 'grm') throw new ConfigError(`${modelPath}: gramr.json says role "${meta.role}"; judgeForModel needs a reward model (role grm)`);
  const objective = (meta?.objective ?? 'rationale') as GrmObjective;
  const format = options.format ?? (meta?.promptFormat as PromptFormat | undefined) ?? 'compact';
  const chat = options.chat ?? (meta?.chat as ChatMode | undefined) ?? 'auto';
  const labelTokens = options.labelTokens ?? meta?.labelTokens ?? { A: 'A', B: 'B' };
  const mj = await ModelJudge.load(modelPath, backend, { batchSize: options.batchSize ?? 8, chat });
  let judge: Judge;
  try {
    if (objective === 'rationale' || objective === 'label-only') {
      const ctxLen = mj.model.contextLimit;
      const maxTokens = options.maxTokens ?? Math.min(objective === 'rationale' ? 256 : 32, Math.floor(ctxLen / 2));
      const pj = new PairJudge(mj, {
        format, maxTokens, labelTokens, position: 'none', temperature: options.temperature ?? 0, votes: options.votes ?? 1,
      }, mj.chat);
      judge = pj.asJudge();
    } else if (objective === 'gram-v1') {
      judge = logitJudge(mj, format, labelTokens);
    } else if (objective === 'bradley-terry') {
      judge = await rewardJudge(mj.model, modelPath, chat, meta?.addEos ?? true, options.batchSize ?? 8);
    } else {
      throw new ConfigError(`${modelPath}: gramr.json objective ${JSON.stringify(objective)} is not one of rationale, label-only, gram-v1, bradley-terry`);
    }
  } catch (e) {
    mj.dispose();
    throw e;
  }
  return Object.assign(judge, { objective, meta, dispose: () => mj.dispose() });
}

/** GRAM v1: the label is the more likely of the two label tokens right after the prompt. */
export function logitJudge(mj: ModelJudge, format: PromptFormat, labelTokens: LabelTokens): Judge {
  return async (batch, ctx) => {
    const prompts = batch.map((p) => renderJudgePrompt(format, { userInput: p.prompt, first: p.a, second: p.b }, mj.chat));
    const fits = prompts.map((p) => mj.countTokens(p) <= mj.contextLength);
    const logits = await mj.labelLogits(prompts.filter((_, i) => fits[i]), labelTokens, ctx.signal);
    let n = 0;
    return batch.map((_, i): JudgeOutcome => {
      if (!fits[i]) return { label: undefined, noAnswer: 'prompt-too-long' };
      const l = logits[n++]!;
      if (l.A === l.B) return { label: undefined, noAnswer: 'tied-logits' };
      const probs = labelProbs(l);
      return l.A > l.B ? { label: 'A', confidence: probs.A } : { label: 'B', confidence: probs.B };
    });
  };
}

/** Bradley–Terry: compare r(prompt, a) with r(prompt, b); confidence σ(|r_a − r_b|). */
export async function rewardJudge(model: CausalLM, modelPath: string, chat: ChatMode, addEos: boolean, batchSize: number): Promise<Judge> {
  const head = await loadRewardHead(modelPath);
  const render = chatRendererFor(model.tokenizer, chat).render;
  return async (batch, ctx) => {
    ctx.signal.throwIfAborted();
    const items = batch.flatMap((p) => {
      const prompt = rewardPrompt({ prompt: p.prompt }, render);
      return [{ prompt, response: p.a }, { prompt, response: p.b }];
    });
    const r = await scoreResponses(model, head, items, { batchSize, addEos });
    return batch.map((_, i): JudgeOutcome => {
      const d = r[2 * i]! - r[2 * i + 1]!;
      if (!Number.isFinite(d)) return { label: undefined, noAnswer: 'non-finite-reward' };
      if (d === 0) return { label: undefined, noAnswer: 'tied-rewards' };
      return { label: d > 0 ? 'A' : 'B', confidence: sigmoid(Math.abs(d)) };
    });
  };
}
