// Record types the data-source plugin yields besides core's PreferencePair: math problems with a gold
// answer (GSM8K, MATH-500) and candidate sets (n sampled solutions with oracle correctness).
// Plain JSON-serializable objects, like every record in core/data/records.ts. The record types are type
// aliases, not interfaces, so they satisfy core's `DataRecord` (`Record<string, unknown>`) constraint.

/** A problem with a verifiable gold answer (not a preference pair). */
export type MathProblem = {
  /** Stable id, unique within its dataset (`gsm8k:test:1`, `math500:test/precalculus/807.json`). */
  id: string;
  /** The problem statement. */
  question: string;
  /** The gold final answer as a string (GSM8K: the number after `####`, thousands commas removed; MATH: LaTeX). */
  answer: string;
  /** A worked reference solution, when the source has one. */
  solution?: string;
  /** Name of the dataset (`gsm8k`, `math500`). */
  source: string;
  /** Free-form metadata (MATH: subject, level, uniqueId). */
  meta?: Record<string, unknown>;
};

/** One sampled response to a problem, with whether an oracle judged it correct. */
export interface Candidate {
  /** The full response text. */
  text: string;
  /** True when the response's final answer matches the gold answer (the source's oracle). */
  correct: boolean;
  /** The final answer extracted from the response by the source, when given. */
  answer?: string;
  /** A reward-model score the source attached (qwen25-math-rm-maj: Qwen2.5-Math-RM-72B), when given. */
  rmScore?: number;
}

/** A prompt with n candidate responses and their correctness: best-of-n with a verifiable oracle. */
export type CandidateSet = {
  /** Stable id, unique within its dataset (`qwen-math:17`). */
  id: string;
  /** The prompt the candidates answer. */
  prompt: string;
  /** The candidates, in the source's order. */
  candidates: Candidate[];
  /** The gold final answer, when known. */
  answer?: string;
  /** A reference solution, when known. */
  solution?: string;
  /** Name of the dataset. */
  source: string;
  /** Free-form metadata (level, normalized answer, system prompt used for sampling). */
  meta?: Record<string, unknown>;
};
