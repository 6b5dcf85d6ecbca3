// Proof synthesis with a prover CausalLM (METHOD.md step 2): for each (s, l) sample k proofs at temperature T,
// drop those failing a rule, score the rest by −log π(ẑ|s,l) / log π(ẑ), keep the best and turn it back into a
// rationale. Each pair samples from its own seed (derived from the pair id), so a result never depends on batching
// or on which pairs came before.
import { createHash } from 'node:crypto';
import type { CausalLM } from '../../core/model/causal-lm.js';
import type { ProofCandidate, ProofRequest, ProofResult, ScoredProof } from '../../core/recipe/prover.js';
import type { ChatRenderer } from '../../core/reward/prompts.js';
import { proofToRationale } from './proof-layout.js';
import { checkProof, countDrop, type ProofRuleLimits } from './proof-rules.js';
import { scoreProofs } from './proof-score.js';
import { renderProverPrompt, type ProverPromptFormat } from './prover-prompt.js';

/** Everything synthesis needs besides the model. */
export interface SynthesisSettings {
  /** Candidates sampled per pair. */
  k: number;
  /** Sampling temperature (> 0 for k > 1 to give different candidates). */
  temperature: number;
  /** Nucleus mass (absent: off). */
  topP?: number;
  /** Top-k cutoff (absent: off). */
  topK?: number;
  /** Most tokens per proof (a proof cut here is dropped by rule `truncated`). */
  maxTokens: number;
  /** Sequences per scoring run. */
  scoreBatchSize: number;
  /** The prover prompt format the model was trained with. */
  promptFormat: ProverPromptFormat;
  /** The chat renderer the model was trained with. */
  chat: ChatRenderer;
  /** Rule limits. */
  rules: ProofRuleLimits;
  /** Whether training appended EOS to proofs (then the EOS is scored as part of ẑ). */
  appendEos: boolean;
  /** Base seed; each pair samples with pairSeed(seed, id). */
  seed: number;
}

/** Rows per batched generate call (pairs x k candidates). */
const GENERATE_ROWS = 32;

/** The sampling seed of one pair: 31 bits of sha256(seed, id). */
export function pairSeed(seed: number, id: string): number {
  return createHash('sha256').update(`gramr/prover/pair-seed/v1\0${seed}\0${id}`).digest().readUInt32LE(0) >>> 1;
}

/** Synthesizes proofs for `requests` (in order); candidates of all pairs are scored together in batches. */
export async function synthesizeProofs(model: CausalLM, requests: readonly ProofRequest[], s: SynthesisSettings,
  signal?: AbortSignal): Promise<ProofResult[]> {
  const tok = model.tokenizer;
  if (!tok) throw new Error('synthesizeProofs: the prover model has no tokenizer');
  if (!(Number.isInteger(s.k) && s.k >= 1)) throw new RangeError(`synthesizeProofs: k must be a positive integer, got ${s.k}`);
  const { results, pending } = renderPrompts(model, tok, requests, s);
  const toScore = await sampleAndCheck(model, pending, results, s, signal);
  await scoreCandidates(model, results, toScore, s, signal);
  for (const r of results) pickBest(r);
  return results;
}

/** A pair whose prompt fits the model, waiting for its candidates. */
interface PendingPair { result: number; pair: ProofRequest['pair']; label: ProofRequest['label']; context: string; ids: number[] }

/** A candidate that passed the rules and waits for its score. */
interface ToScore { result: number; candidate: number; context: string }

/** One empty result per request (in order), and the pairs whose prompt fits; the others are marked skipped. */
function renderPrompts(model: CausalLM, tok: NonNullable<CausalLM['tokenizer']>, requests: readonly ProofRequest[],
  s: SynthesisSettings): { results: ProofResult[]; pending: PendingPair[] } {
  const results: ProofResult[] = [];
  const pending: PendingPair[] = [];
  for (const { pair, label } of requests) {
    const result: ProofResult = { id: pair.id, label, candidates: [], dropped: {} };
    results.push(result);
    const context = renderProverPrompt(s.promptFormat, pair, label, s.chat);
    const ids = tok.encode(context);
    if (ids.length + 2 > model.contextLimit) {
      result.skipped = `prompt-too-long: the prover prompt has ${ids.length} tokens; the model attends over ${model.contextLimit}`;
      continue;
    }
    pending.push({ result: results.length - 1, pair, label, context, ids });
  }
  return { results, pending };
}

/**
 * Samples the k candidates of several pairs in one batched generate call, checks each against the rules and
 * appends it to its result; returns the candidates that passed. Each row samples from (pairSeed, j), so a pair's
 * candidates never depend on which pairs share its batch.
 */
async function sampleAndCheck(model: CausalLM, pending: PendingPair[], results: ProofResult[], s: SynthesisSettings,
  signal?: AbortSignal): Promise<ToScore[]> {
  const toScore: ToScore[] = [];
  const pairsPerCall = Math.max(1, Math.floor(GENERATE_ROWS / s.k));
  for (let start = 0; start < pending.length; start += pairsPerCall) {
    signal?.throwIfAborted();
    const chunk = pending.slice(start, start + pairsPerCall);
    const prompts = chunk.flatMap((p) => Array.from({ length: s.k }, () => p.ids));
    const rowSeeds = chunk.flatMap((p) => Array.from({ length: s.k }, (_, j) => [pairSeed(s.seed, p.pair.id), j] as const));
    const generated = await model.generate(prompts, {
      temperature: s.temperature, maxTokens: s.maxTokens, rowSeeds,
      ...(s.topP !== undefined ? { topP: s.topP } : {}), ...(s.topK !== undefined ? { topK: s.topK } : {}),
    });
    chunk.forEach((p, n) => {
      const result = results[p.result]!;
      for (const g of generated.slice(n * s.k, (n + 1) * s.k)) {
        const check = checkProof(g.text, p.pair, p.label, g.finishReason, s.rules);
        const candidate: ProofCandidate = { proof: g.text, finishReason: g.finishReason, tokens: g.tokens.length };
        if (check.failed) {
          candidate.failedRule = check.failed;
          candidate.detail = check.detail!;
          countDrop(result.dropped, check.failed);
        } else {
          toScore.push({ result: p.result, candidate: result.candidates.length, context: p.context });
        }
        result.candidates.push(candidate);
      }
    });
  }
  return toScore;
}

/** Scores each distinct (pair, proof) once (identical candidates of one pair share the score); a non-finite score drops the candidate. */
async function scoreCandidates(model: CausalLM, results: ProofResult[], toScore: ToScore[], s: SynthesisSettings,
  signal?: AbortSignal): Promise<void> {
  const unique = new Map<string, number>();
  const items: Array<{ context: string; proof: string }> = [];
  const keys = toScore.map((t) => {
    const proof = results[t.result]!.candidates[t.candidate]!.proof;
    const key = `${t.result}\0${proof}`;
    if (!unique.has(key)) { unique.set(key, items.length); items.push({ context: t.context, proof }); }
    return unique.get(key)!;
  });
  signal?.throwIfAborted();
  const scored = await scoreProofs(model, items, { batchSize: s.scoreBatchSize, appendEos: s.appendEos });
  toScore.forEach((t, i) => {
    const sc = scored[keys[i]!]!;
    const r = results[t.result]!;
    const c = r.candidates[t.candidate]!;
    if (!Number.isFinite(sc.logpContext) || Number.isNaN(sc.score)) {
      c.failedRule = 'non-finite-score';
      c.detail = `log π(ẑ|s,l) = ${sc.logpContext}, log π(ẑ) = ${sc.logpAlone}`;
      countDrop(r.dropped, 'non-finite-score');
      return;
    }
    c.scored = { ...sc };
  });
}

// The best scored candidate (the earliest on ties) becomes the result's proof and rationale.
function pickBest(r: ProofResult): void {
  let best: ScoredProof | undefined;
  for (const c of r.candidates) if (c.scored && (best === undefined || c.scored.score > best.score)) best = c.scored;
  if (best === undefined) return;
  r.best = best;
  r.rationale = proofToRationale(best.proof)!;
}
