// The abstract judge model the judging layer runs on: text generation with per-prompt seeds, and the two
// label-token logits at a given position. The decoder layer implements it; tests use a scripted model.
// Everything here is text in, text/numbers out: tokenization and chat templates stay on the model side.

/** The two label-token strings whose logits `labelLogits` returns ("A"/"B", or " A"/" B" for some tokenizers). */
export interface LabelTokens {
  /** Text of the token that means "A is better" (must be a single token of the model's vocabulary). */
  A: string;
  /** Text of the token that means "B is better" (must be a single token of the model's vocabulary). */
  B: string;
}

/** Raw (unnormalized) logits of the two label tokens at one position. */
export interface LabelLogits {
  /** Logit of `LabelTokens.A`. */
  A: number;
  /** Logit of `LabelTokens.B`. */
  B: number;
}

/** One prompt to continue, with its own seed (results never depend on how prompts are batched). */
export interface GenerateRequest {
  /** The full model input text (already rendered through the chat template). */
  prompt: string;
  /** Seed of this prompt's sampling; the same (prompt, seed, options) gives the same text. */
  seed: number;
}

/** Sampling options shared by every request of one `generate` call. */
export interface GenerateOptions {
  /** Sampling temperature; 0 means greedy (seed ignored). */
  temperature: number;
  /** Most new tokens per request. */
  maxTokens: number;
  /** Stop strings: generation ends after the first one appears; the returned text INCLUDES the stop string. */
  stop: string[];
  /** Nucleus sampling mass in (0, 1]; absent means 1 (off). */
  topP?: number;
  /** Keep only the k most likely tokens; absent means off. */
  topK?: number;
}

/**
 * A judge model. Implementations: the lead's decoder-backed model; test/reward's scripted model.
 * Contract: `generate` returns only the continuation (not the prompt), decoded without special tokens, in
 * request order; `labelLogits` returns, for each prefix, the logits of the two label tokens for the NEXT token
 * after the prefix (the prefix is tokenized like a prompt).
 */
export interface JudgeModel {
  /** Context window in tokens (prompt + generated); absent when unknown (no length checks are made). */
  readonly contextLength?: number;
  /** Number of tokens `text` encodes to (as a prompt); used by the truncation rule. */
  countTokens(text: string): number;
  /** Continue each prompt; resolves to one continuation per request, in order. */
  generate(requests: GenerateRequest[], options: GenerateOptions, signal?: AbortSignal): Promise<string[]>;
  /** Logits of `tokens.A` and `tokens.B` as the next token after each prefix, in order. */
  labelLogits(prefixes: string[], tokens: LabelTokens, signal?: AbortSignal): Promise<LabelLogits[]>;
}
