// The common Tokenizer contract shared by every tokenizer format gramr reads (HF tokenizer.json BPE,
// llama2.c tok*.bin, the byte tokenizer for from-scratch models), plus the chat message types.
// Pure types: implementations live next to this file.

/** Which implementation (and file format) a tokenizer is. */
export type TokenizerKind = 'hf-bpe' | 'llama2c' | 'byte';

/** Options for `Tokenizer.encode`. */
export interface EncodeOptions {
  /**
   * Prepend the tokenizer's begin-of-sequence token(s). Default: the format's convention (`defaultAddBos`).
   * Never doubled: when the text itself already encodes to a leading BOS (a chat template emitted it), none is added.
   * A tokenizer without a BOS (Qwen) adds nothing.
   */
  addBos?: boolean;
  /** Append the end-of-sequence token(s); default false (or the tokenizer.json post-processor's template). Never doubled. */
  addEos?: boolean;
  /**
   * Match special tokens (`<|im_start|>`, `<eos>`) written literally in the text. Default true, as Hugging Face does;
   * pass false for untrusted text, so that e.g. a response containing "<|im_end|>" is encoded as plain characters.
   */
  parseSpecial?: boolean;
}

/** Options for `Tokenizer.decode`. */
export interface DecodeOptions {
  /** Drop special tokens (BOS, EOS, pad, chat markers flagged special) from the text. Default false. */
  skipSpecial?: boolean;
}

/** One chat turn, as chat templates expect it. Extra keys (tool_calls, reasoning_content) pass through. */
export interface ChatMessage {
  /** 'system' | 'user' | 'assistant' | 'tool' (templates decide what they accept). */
  role: string;
  /** The turn's text. */
  content: string;
  /** Template-specific extras. */
  [key: string]: unknown;
}

/** Options for `Tokenizer.renderChat`. */
export interface ChatRenderOptions {
  /** End with the header that opens an assistant turn (`<|im_start|>assistant\n`). Default false. */
  addGenerationPrompt?: boolean;
  /** More template variables (e.g. `enable_thinking: false` for Qwen3, `tools`). */
  variables?: Record<string, unknown>;
}

/** A tokenizer: text <-> token ids, plus its special ids and chat template. */
export interface Tokenizer {
  /** The implementation / file format. */
  readonly kind: TokenizerKind;
  /** One past the largest token id (the model's vocab_size may be larger: padded embeddings). */
  readonly vocabSize: number;
  /** Begin-of-sequence id, when the tokenizer has one. */
  readonly bosId: number | undefined;
  /** End-of-sequence id (for chat models: the end-of-turn token generation stops on), when known. */
  readonly eosId: number | undefined;
  /** Padding id, when the tokenizer has one. */
  readonly padId: number | undefined;
  /** Whether `encode` adds BOS when `addBos` is not given. */
  readonly defaultAddBos: boolean;
  /** Where this tokenizer was loaded from ('memory' when built in code). */
  readonly source: string;
  /** Text to token ids. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Token ids to text; invalid UTF-8 (a sequence cut inside a character) becomes U+FFFD. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** The id of a vocabulary entry written as the format stores it (`Ġthe`, `▁the`, ` the`, `<|im_end|>`), if present. */
  tokenToId(token: string): number | undefined;
  /** The vocabulary entry for an id, as the format stores it; undefined outside the vocabulary. */
  idToToken(id: number): string | undefined;
  /** True for special tokens (BOS/EOS/pad/unk and added tokens flagged special). */
  isSpecial(id: number): boolean;
  /** Render chat messages to a prompt string with the tokenizer's chat template (or the plain template). */
  renderChat(messages: readonly ChatMessage[], options?: ChatRenderOptions): string;
  /** Write the tokenizer's files into `dir` (atomically); returns the paths written. */
  save(dir: string): Promise<string[]>;
}
