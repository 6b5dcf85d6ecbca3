// StreamDecoder: turns token ids arriving one at a time (generation) into text deltas that are safe to print.
// Works with any Tokenizer: it re-decodes a short window and holds text back while it ends in an incomplete
// UTF-8 sequence (U+FFFD), so a character split over several byte tokens is printed once, whole.
import type { DecodeOptions, Tokenizer } from './tokenizer.js';

const MAX_PENDING = 8;

/** Incremental decoding of a growing id sequence. */
export class StreamDecoder {
  private readonly ids: number[] = [];
  private prefixOffset = 0;
  private readOffset = 0;

  constructor(private readonly tokenizer: Tokenizer, private readonly options: DecodeOptions = {}) {}

  /** Add one id; returns the new text it completes ('' while a character is still incomplete). */
  push(id: number): string {
    this.ids.push(id);
    const before = this.tokenizer.decode(this.ids.slice(this.prefixOffset, this.readOffset), this.options);
    const after = this.tokenizer.decode(this.ids.slice(this.prefixOffset), this.options);
    // a UTF-8 character spans at most 4 byte tokens: past MAX_PENDING a trailing U+FFFD is real, not incomplete
    const complete = !after.endsWith('\uFFFD') || this.ids.length - this.readOffset > MAX_PENDING;
    if (after.length > before.length && complete && after.startsWith(before)) {
      this.prefixOffset = this.readOffset;
      this.readOffset = this.ids.length;
      return after.slice(before.length);
    }
    return '';
  }

  /** Emit whatever is still held back (an incomplete sequence decodes to U+FFFD) and reset. */
  flush(): string {
    const before = this.tokenizer.decode(this.ids.slice(this.prefixOffset, this.readOffset), this.options);
    const after = this.tokenizer.decode(this.ids.slice(this.prefixOffset), this.options);
    this.ids.length = 0;
    this.prefixOffset = 0;
    this.readOffset = 0;
    return after.startsWith(before) ? after.slice(before.length) : after;
  }
}
