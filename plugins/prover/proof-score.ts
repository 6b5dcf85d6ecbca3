// The proof score of METHOD.md step 2: Score(s, l, ẑ) = −log π(ẑ | s, l) / log π(ẑ), with both log-likelihoods
// computed by the prover itself — in context (after the rendered prover prompt) and alone (after a lone BOS, or
// EOS for tokenizers without a BOS). Range (−∞, 0]; higher is better.
import type { CausalLM } from '../../core/model/causal-lm.js';
import type { Tokenizer } from '../../core/model/tokenizer/tokenizer.js';
import type { ScoredProof } from '../../core/recipe/prover.js';

/** The score from the two log-likelihoods (natural log, each <= 0); −∞ when log π(ẑ) is 0 (nothing to divide by). */
export function proofScore(logpContext: number, logpAlone: number): number {
  if (!(logpAlone < 0)) return -Infinity;
  return -logpContext / logpAlone;
}

/**
 * The text a proof is scored "alone" after: the BOS token's text, or EOS's when the tokenizer has no BOS. Encoding
 * it gives exactly that one token, so training examples with this prompt teach the model π(ẑ) unconditionally.
 */
export function aloneContextText(tokenizer: Tokenizer): string {
  const id = tokenizer.bosId ?? tokenizer.eosId;
  const text = id === undefined ? undefined : tokenizer.idToToken(id);
  if (id === undefined || text === undefined) {
    throw new Error(`proof score: the tokenizer (${tokenizer.kind}, ${tokenizer.source}) has neither a BOS nor an EOS token, so log π(ẑ) has no context to start from`);
  }
  const ids = tokenizer.encode(text);
  if (ids.length !== 1 || ids[0] !== id) {
    throw new Error(`proof score: the special token ${JSON.stringify(text)} (id ${id}) does not encode back to itself alone (got [${ids.join(', ')}])`);
  }
  return text;
}

/** One proof to score: the rendered prover prompt (s, l) and the proof. */
export interface ProofToScore {
  /** The rendered prover prompt (encoded with BOS by the tokenizer's convention, as in training). */
  context: string;
  /** The proof text ẑ. */
  proof: string;
}

/** Options of `scoreProofs`. */
export interface ScoreProofsOptions {
  /** Sequences per scoring run (default 8). */
  batchSize?: number;
  /** Score the EOS after the proof as part of ẑ (default true: training appends EOS to every target). */
  appendEos?: boolean;
}

/** Scores every proof in context and alone (2 × n scored sequences); results in input order. */
export async function scoreProofs(model: CausalLM, items: readonly ProofToScore[], options: ScoreProofsOptions = {}): Promise<ScoredProof[]> {
  const tok = model.tokenizer;
  if (!tok) throw new Error('scoreProofs: the prover model has no tokenizer');
  if (items.length === 0) return [];
  const alone = tok.encode(aloneContextText(tok));
  const eos = (options.appendEos ?? true) && tok.eosId !== undefined ? [tok.eosId] : [];
  const proofIds = items.map((it) => [...tok.encode(it.proof, { addBos: false, parseSpecial: false }), ...eos]);
  const batchSize = options.batchSize ?? 8;
  const inContext = await model.logprobs(items.map((it, i) => ({ prompt: tok.encode(it.context), continuation: proofIds[i]! })), { batchSize });
  const byItself = await model.logprobs(items.map((_, i) => ({ prompt: alone, continuation: proofIds[i]! })), { batchSize });
  return items.map((it, i) => {
    const logpContext = inContext[i]!.sum, logpAlone = byItself[i]!.sum;
    return { proof: it.proof, logpContext, logpAlone, score: proofScore(logpContext, logpAlone) };
  });
}
