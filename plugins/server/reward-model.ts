// RewardModel: what the server asks of a loaded train-grm model — judge pairs as given (label, confidence, P(a
// preferred), rationale) and, for a Bradley–Terry model, score single responses. `openRewardModel` picks the
// objective from the folder's gramr.json through openGrm (plugins/grm), as judgeForModel does, but keeps the PairJudge verdict
// (for rationales) and the reward head (for pointwise scores).
import type { CausalLM } from '../../core/model/causal-lm.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import { silentProgress } from '../../core/pipeline/task-context.js';
import type { Judge } from '../../core/reward/evaluator.js';
import { chatRendererFor } from '../../core/reward/chat-renderer.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';
import type { PairJudge } from '../../core/reward/pair-judge.js';
import { contentId } from '../../core/reward/seeds.js';
import { loadRewardHead, scoreResponses } from '../../core/training/reward-head.js';
import { logitJudge, openGrm, rewardJudge } from '../grm/judge-for-model.js';
import { rewardPrompt } from '../grm/grm-targets.js';

/** A pair to judge in the order given (a shown first). */
export interface PairItem {
  /** The user input. */
  prompt: string;
  /** Response shown first (A). */
  a: string;
  /** Response shown second (B). */
  b: string;
  /** Voting@k samples (generative objectives only; 1 = one greedy judgment). */
  votes: number;
}

/** The judgment of one pair as given. */
export interface PairResult {
  /** 'A' (a preferred), 'B', or undefined for no answer. */
  label: 'A' | 'B' | undefined;
  /** P(label); undefined without a label or without scores. */
  confidence: number | undefined;
  /** P(a preferred) in this order; undefined when the model gave no probabilities. */
  probA: number | undefined;
  /** The model's rationale (generative objectives), else undefined. */
  rationale: string | undefined;
  /** Why there is no label, else undefined. */
  noAnswer: string | undefined;
}

/** A loaded reward model, as the server uses it. */
export interface RewardModel {
  /** The objective train-grm recorded (rationale, label-only, gram-v1, bradley-terry). */
  readonly objective: string;
  /** Whether `votes > 1` is possible (generative objective with temperature > 0). */
  readonly canVote: boolean;
  /** Judge pairs as given, one result per pair. */
  judgePairs(items: PairItem[]): Promise<PairResult[]>;
  /**
   * Why the model cannot take `response` at all (it cannot fit the context with a prompt), else undefined; the server
   * checks every response of a request before batching it with others. Absent when every response can be taken.
   */
  checkResponse?: (response: string) => string | undefined;
  /** Scalar rewards r(prompt, response) (Bradley–Terry only; absent otherwise). */
  score?: (items: Array<{ prompt: string; response: string }>) => Promise<number[]>;
  /** Frees the model. */
  dispose(): void;
}

/** Options of openRewardModel. */
export interface OpenRewardModelOptions {
  /** A tokenizer overriding the one beside the model. */
  tokenizer?: string;
  /** Rows per model call (default 8). */
  batchSize?: number;
  /** Generative objectives: most generated tokens (default 256 rationale / 32 label-only, at most half the context). */
  maxTokens?: number;
  /** Generative objectives: sampling temperature (default 0; voting needs > 0). */
  temperature?: number;
  /** Seed of sampled judgments. */
  seed?: number;
}

const ctxOf = (seed: number): TaskContext => ({ signal: new AbortController().signal, progress: silentProgress, seed });

/** P(a preferred) from a label and the confidence of that label. */
export function probAOf(label: 'A' | 'B' | undefined, confidence: number | undefined): number | undefined {
  if (label === undefined || confidence === undefined) return undefined;
  return label === 'A' ? confidence : 1 - confidence;
}

/** Wraps an evaluator Judge (no rationale) as judgePairs. */
function fromJudge(judge: Judge, seed: number): (items: PairItem[]) => Promise<PairResult[]> {
  return async (items) => (await judge(items.map((i) => ({ prompt: i.prompt, a: i.a, b: i.b })), ctxOf(seed))).map((o) => ({
    label: o.label, confidence: o.confidence, probA: probAOf(o.label, o.confidence), rationale: undefined, noAnswer: o.noAnswer,
  }));
}

/** The check of a Bradley–Terry model: the response's tokens (and EOS), BOS and one prompt token fit the context. */
function responseFits(model: CausalLM, addEos: boolean): (response: string) => string | undefined {
  const tok = model.tokenizer!;
  const fixed = (addEos && tok.eosId !== undefined ? 1 : 0) + (tok.defaultAddBos && tok.bosId !== undefined ? 1 : 0) + 1;
  return (response) => {
    const n = tok.encode(response, { addBos: false, parseSpecial: false }).length;
    return n + fixed > model.contextLimit
      ? `has ${n} tokens; with the prompt it cannot fit the model's ${model.contextLimit} positions (at most ${model.contextLimit - fixed} tokens)` : undefined;
  };
}

/** Loads the train-grm model at `modelPath` on `backend` through `opener` (see the file header). */
export async function openRewardModel(opener: JudgeOpener, modelPath: string, backend: ComputeBackend, options: OpenRewardModelOptions = {}): Promise<RewardModel> {
  const batchSize = options.batchSize ?? 8;
  const seed = options.seed ?? 0;
  const g = await openGrm(opener, modelPath, backend, { batchSize, ...(options.tokenizer !== undefined ? { tokenizer: options.tokenizer } : {}) }, 'gramr serve');
  const { objective, mj } = g;
  const dispose = (): void => mj.dispose();
  try {
    if (objective === 'rationale' || objective === 'label-only') {
      const temperature = options.temperature ?? 0;
      const maxTokens = g.maxTokens(options.maxTokens);
      const judges = new Map<number, Promise<PairJudge>>();
      const judgeFor = (votes: number): Promise<PairJudge> => {
        let pj = judges.get(votes);
        if (!pj) {
          pj = opener.open(mj, { judge: { format: g.format, maxTokens, labelTokens: g.labelTokens, position: 'none', temperature, votes } }).then((o) => o.judge);
          judges.set(votes, pj);
        }
        return pj;
      };
      return {
        objective, canVote: temperature > 0, dispose,
        async judgePairs(items) {
          const out: PairResult[] = new Array<PairResult>(items.length);
          for (const votes of new Set(items.map((i) => i.votes))) {
            const idx = items.flatMap((it, i) => (it.votes === votes ? [i] : []));
            const verdicts = await (await judgeFor(votes)).judge(idx.map((i) => {
              const it = items[i]!;
              return { id: contentId(it.prompt, it.a, it.b), prompt: it.prompt, a: it.a, b: it.b };
            }), ctxOf(seed), 'none');
            verdicts.forEach((v, n) => {
              const shown = v.judgments.find((j) => j.label !== undefined && j.label === v.label) ?? v.judgments[0];
              out[idx[n]!] = { label: v.label, confidence: v.confidence, probA: v.probA, rationale: shown?.rationale, noAnswer: v.noAnswer };
            });
          }
          return out;
        },
      };
    }
    if (objective === 'gram-v1') {
      return { objective, canVote: false, dispose, judgePairs: fromJudge(logitJudge(mj, g.format, g.labelTokens), seed) };
    }
    const addEos = g.meta?.addEos ?? true;
    const head = await loadRewardHead(modelPath);
    const render = chatRendererFor(mj.model.tokenizer, g.chat).render;
    return {
      objective, canVote: false, dispose, checkResponse: responseFits(mj.model, addEos),
      judgePairs: fromJudge(await rewardJudge(mj.model, modelPath, g.chat, addEos, batchSize), seed),
      score: (items) => scoreResponses(mj.model, head, items.map((i) => ({ prompt: rewardPrompt({ prompt: i.prompt }, render), response: i.response })), { batchSize, addEos }),
    };
  } catch (e) {
    dispose();
    throw e;
  }
}
