// judgeForModel: an evaluator Judge for any model train-grm wrote, picked by the objective its gramr.json records —
// `rationale` / `label-only`: generation + parsing (the JudgeOpener's PairJudge, the recorded prompt format);
// `gram-v1`: the two label logits right after the prompt; `bradley-terry`: r(prompt, a) vs r(prompt, b) from the
// scalar head, confidence σ(|r_a − r_b|). A folder without gramr.json is judged as a `rationale` model.
import type { CausalLM } from '../../core/model/causal-lm.js';
import type { Judge, JudgeOutcome } from '../../core/reward/evaluator.js';
import type { LabelTokens } from '../../core/reward/judge-model.js';
import { chatRendererFor, type ChatMode } from '../../core/reward/chat-renderer.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';
import type { ModelJudge } from '../../core/reward/model-judge.js';
import { renderJudgePrompt, type PromptFormat } from '../../core/reward/prompts.js';
import { labelProbs } from '../../core/reward/scores.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { loadRewardHead, scoreResponses } from '../../core/training/reward-head.js';
import { ConfigError } from '../../core/errors.js';
import { rewardPrompt, type GrmObjective } from './grm-targets.js';
import { readModelMeta, type ModelMeta } from '../../core/recipe/model-meta.js';
import { resolveModelPath } from '../../core/hub/resolve-model.js';

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

/** A train-grm model folder loaded for judging, with the settings its gramr.json records (or the overrides). */
export interface OpenedGrm {
  /** What the folder recorded (undefined without gramr.json). */
  meta: ModelMeta | undefined;
  /** The objective (`rationale` for a folder without gramr.json). */
  objective: GrmObjective;
  /** Judge prompt format. */
  format: PromptFormat;
  /** Chat mode. */
  chat: ChatMode;
  /** Label tokens. */
  labelTokens: LabelTokens;
  /** The loaded model. */
  mj: ModelJudge;
  /** Generative objectives: the most generated tokens (the override, else 256 rationale / 32 label-only, capped at half the context). */
  maxTokens(override?: number): number;
}

/**
 * Loads a train-grm model folder through `opener`: refuses a non-GRM folder (naming `who`) and an unknown objective,
 * resolves the recorded settings (options override them), loads the model. The caller disposes `mj`.
 */
export async function openGrm(opener: JudgeOpener, modelPathOrId: string, backend: ComputeBackend, options: GrmJudgeOptions & { tokenizer?: string }, who: string): Promise<OpenedGrm> {
  const modelPath = await resolveModelPath(modelPathOrId); // a Hub id: its snapshot, with gramr.json when the repo has one
  const meta = await readModelMeta(modelPath);
  if (meta && meta.role !== 'grm') throw new ConfigError(`${modelPath}: gramr.json says role "${meta.role}"; ${who} needs a reward model (role grm)`);
  const objective = (meta?.objective ?? 'rationale') as GrmObjective;
  if (!['rationale', 'label-only', 'gram-v1', 'bradley-terry'].includes(objective)) {
    throw new ConfigError(`${modelPath}: gramr.json objective ${JSON.stringify(objective)} is not one of rationale, label-only, gram-v1, bradley-terry`);
  }
  const chat = options.chat ?? (meta?.chat as ChatMode | undefined) ?? 'auto';
  const mj = await opener.loadModel(modelPath, backend, { batchSize: options.batchSize ?? 8, chat, ...(options.tokenizer !== undefined ? { tokenizer: options.tokenizer } : {}) });
  return {
    meta, objective, chat, mj,
    format: options.format ?? (meta?.promptFormat as PromptFormat | undefined) ?? 'compact',
    labelTokens: options.labelTokens ?? meta?.labelTokens ?? { A: 'A', B: 'B' },
    maxTokens: (override) => override ?? Math.min(objective === 'rationale' ? 256 : 32, Math.floor(mj.model.contextLimit / 2)),
  };
}

/** Loads the model at `modelPath` on `backend` through `opener` and returns the Judge its objective calls for. */
export async function judgeForModel(opener: JudgeOpener, modelPath: string, backend: ComputeBackend, options: GrmJudgeOptions = {}): Promise<GrmJudge> {
  const g = await openGrm(opener, modelPath, backend, options, 'judgeForModel');
  let judge: Judge;
  try {
    if (g.objective === 'rationale' || g.objective === 'label-only') {
      const { judge: pj } = await opener.open(g.mj, { judge: {
        format: g.format, maxTokens: g.maxTokens(options.maxTokens), labelTokens: g.labelTokens, position: 'none',
        temperature: options.temperature ?? 0, votes: options.votes ?? 1,
      } });
      judge = pj.asJudge();
    } else if (g.objective === 'gram-v1') {
      judge = logitJudge(g.mj, g.format, g.labelTokens);
    } else {
      judge = await rewardJudge(g.mj.model, modelPath, g.chat, g.meta?.addEos ?? true, options.batchSize ?? 8);
    }
  } catch (e) {
    g.mj.dispose();
    throw e;
  }
  return Object.assign(judge, { objective: g.objective, meta: g.meta, dispose: () => g.mj.dispose() });
}

/** GRAM v1: the label is the more likely of the two label tokens right after the prompt. */
export function logitJudge(mj: ModelJudge, format: PromptFormat, labelTokens: LabelTokens): Judge {
  return async (batch, ctx) => {
    const prompts = batch.map((p) => renderJudgePrompt(format, { userInput: p.prompt, first: p.a, second: p.b }, mj.chat));
    const fits = prompts.map((p) => mj.countTokens(p) <= mj.contextLength);
    const logits = await mj.labelLogits(prompts.filter((_, i) => fits[i]), labelTokens, ctx.signal);
    let n = 0;
    return batch.map((_, i): JudgeOutcome => {
      const seen = { prompt: prompts[i]!, raw: '', sample: 0 };
      if (!fits[i]) return { label: undefined, noAnswer: 'prompt-too-long', evidence: [{ ...seen, noAnswer: 'prompt-too-long' }] };
      const l = logits[n++]!;
      if (l.A === l.B) return { label: undefined, noAnswer: 'tied-logits', evidence: [{ ...seen, noAnswer: 'tied-logits' }] };
      const probs = labelProbs(l);
      const label = l.A > l.B ? 'A' : 'B';
      return { label, confidence: probs[label], evidence: [{ ...seen, label, probs }] };
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
      const rewards: [number, number] = [r[2 * i]!, r[2 * i + 1]!];
      const seen = { prompt: items[2 * i]!.prompt, raw: '', sample: 0, rewards };
      const d = rewards[0] - rewards[1];
      if (!Number.isFinite(d)) return { label: undefined, noAnswer: 'non-finite-reward', evidence: [{ ...seen, noAnswer: 'non-finite-reward' }] };
      if (d === 0) return { label: undefined, noAnswer: 'tied-rewards', evidence: [{ ...seen, noAnswer: 'tied-rewards' }] };
      const label = d > 0 ? 'A' : 'B';
      return { label, confidence: sigmoid(Math.abs(d)), evidence: [{ ...seen, label, probs: { A: sigmoid(d), B: sigmoid(-d) } }] };
    });
  };
}
