// The text of one generated row: decoded token by token with the tokenizer's StreamDecoder (seeded with the
// prompt so word boundaries decode as in the full text), cut at the first stop string, and released for streaming
// only when it can no longer turn out to be part of a stop string.
import { StreamDecoder } from './tokenizer/stream-decoder.js';
import type { Tokenizer } from './tokenizer/tokenizer.js';

/** Incremental text with stop strings for one row. */
export class RowText {
  /** The generated text so far (cut before the stop string once one appeared). */
  text = '';
  /** True once a stop string appeared. */
  stopped = false;
  private emitted = 0;
  private searched = 0;
  private readonly decoder: StreamDecoder;
  private readonly longest: number;

  /**
   * @param tokenizer decodes the ids
   * @param promptIds the prompt, pushed first so the first generated token decodes in context
   * @param stop stop strings (non-empty)
   */
  constructor(tokenizer: Tokenizer, promptIds: readonly number[], private readonly stop: readonly string[]) {
    this.decoder = new StreamDecoder(tokenizer);
    for (const id of promptIds) this.decoder.push(id);
    this.longest = Math.max(0, ...stop.map((s) => s.length));
  }

  /** Adds a generated token; returns the text that may be printed now. */
  push(id: number): string {
    if (this.stopped) return '';
    this.append(this.decoder.push(id));
    return this.release(false);
  }

  /** Ends the row: flushes held-back text (unless a stop string ended it) and returns what is left to print. */
  finish(): string {
    if (!this.stopped) this.append(this.decoder.flush());
    return this.release(true);
  }

  private append(delta: string): void {
    if (delta === '' || this.stopped) return;
    this.text += delta;
    const from = Math.max(0, this.searched - this.longest + 1);
    let cut = -1;
    for (const s of this.stop) {
      const i = this.text.indexOf(s, from);
      if (i >= 0 && (cut < 0 || i < cut)) cut = i;
    }
    this.searched = this.text.length;
    if (cut >= 0) {
      this.text = this.text.slice(0, cut);
      this.stopped = true;
    }
  }

  // Everything not yet printed, except (while the row goes on) a tail that could still begin a stop string.
  private release(all: boolean): string {
    let end = this.text.length;
    if (!all && !this.stopped) {
      for (const s of this.stop) {
        for (let k = Math.min(s.length - 1, this.text.length); k > 0; k--) {
          if (this.text.endsWith(s.slice(0, k))) { end = Math.min(end, this.text.length - k); break; }
        }
      }
    }
    end = Math.max(end, this.emitted);
    const out = this.text.slice(this.emitted, end);
    this.emitted = end;
    return out;
  }
}
