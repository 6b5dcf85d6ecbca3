// Record types that flow between data sources, stages and evaluators.
// Plain JSON-serializable objects: every artifact dataset is a JSONL file of one of these.

/** Which response is preferred. `tie` only appears in sets with ties (PandaLM). */
export type Label = 'A' | 'B';

/** A preference pair `s = [c, x, y_a, y_b]` with an optional label `l` (METHOD.md, "Terms"). */
export interface PreferencePair {
  /** Stable id, unique within its dataset (used for resume, idempotent writes and seeded choices). */
  id: string;
  /** The user input `x` (a conversation is rendered to text by its loader). */
  prompt: string;
  /** Response shown as A. */
  a: string;
  /** Response shown as B. */
  b: string;
  /** The preferred response; `tie` where the source allows ties; absent for unlabeled pairs. */
  label?: Label | 'tie';
  /** Optional task instruction `c`, when the source separates it from the input. */
  instruction?: string;
  /** Name of the dataset this pair came from. */
  source?: string;
  /** Free-form metadata: domain, subset, style grid cell, annotator votes, ... */
  meta?: Record<string, unknown>;
}

/** A labeled pair with a rationale `z` explaining the label: the GRM's SFT target. */
export interface RationaleExample extends PreferencePair {
  label: Label;
  /** Free-text rationale (the `<think>` body). */
  rationale: string;
}

/**
 * A language-model document: a prompt (context, not in the loss) and its completion (in the loss); an empty prompt
 * makes the whole text the completion. What `train-lm` trains a base model on.
 */
export type CompletionExample = {
  /** Stable id, unique within its dataset. */
  id: string;
  /** Conditioning text. */
  prompt: string;
  /** The text the model learns to write after the prompt. */
  completion: string;
  /** Name of the dataset it came from. */
  source?: string;
  /** Free-form metadata. */
  meta?: Record<string, unknown>;
};

/** Any record a dataset artifact may hold. */
export type DataRecord = PreferencePair | RationaleExample | Record<string, unknown>;
