// Untrusted text inside a rendered prompt: `untrusted(text)` wraps text from outside (a request, a dataset field, a
// policy's response) in two Unicode noncharacters, and every tokenizer's `encode` matches no special token inside
// such a span and drops the two marks. So a chat template's own markers stay special while "<|im_end|>" or "<eos>"
// written in a response is encoded as the plain characters it is. The marks never reach decoded text.

/** Opens an untrusted span (U+FDD0, a noncharacter reserved for internal use). */
export const UNTRUSTED_OPEN = '\uFDD0';
/** Closes an untrusted span (U+FDD1). */
export const UNTRUSTED_CLOSE = '\uFDD1';

const MARKS = /[\uFDD0\uFDD1]/g;

/**
 * `text` marked as untrusted for `Tokenizer.encode`: special tokens written in it are not matched. Any marks already
 * in the text are removed (so it cannot close its own span), and leading / trailing whitespace stays outside the
 * span, so a chat template that trims its content still trims it.
 */
export function untrusted(text: string): string {
  const clean = text.replace(MARKS, '');
  const core = clean.trim();
  if (core === '') return clean;
  const start = clean.indexOf(core);
  return `${clean.slice(0, start)}${UNTRUSTED_OPEN}${core}${UNTRUSTED_CLOSE}${clean.slice(start + core.length)}`;
}

/** `text` without untrusted marks. */
export function withoutMarks(text: string): string {
  return text.includes(UNTRUSTED_OPEN) || text.includes(UNTRUSTED_CLOSE) ? text.replace(MARKS, '') : text;
}

/** A text with its marks removed, and the untrusted spans as [start, end) ranges of the unmarked text. */
export interface MarkedText {
  /** The text without marks. */
  text: string;
  /** Untrusted spans, in order, not overlapping. An open mark without its close runs to the end. */
  spans: Array<[number, number]>;
}

/** Reads the untrusted spans of a marked text. */
export function readMarks(marked: string): MarkedText {
  if (!marked.includes(UNTRUSTED_OPEN) && !marked.includes(UNTRUSTED_CLOSE)) return { text: marked, spans: [] };
  let text = '';
  const spans: Array<[number, number]> = [];
  let depth = 0, start = 0;
  for (const ch of marked) {
    if (ch === UNTRUSTED_OPEN) { if (depth++ === 0) start = text.length; }
    else if (ch === UNTRUSTED_CLOSE) { if (depth > 0 && --depth === 0 && text.length > start) spans.push([start, text.length]); }
    else text += ch;
  }
  if (depth > 0 && text.length > start) spans.push([start, text.length]);
  return { text, spans };
}

/** Whether [start, end) overlaps one of `spans`. */
export function overlapsSpan(spans: ReadonlyArray<readonly [number, number]>, start: number, end: number): boolean {
  return spans.some(([s, e]) => start < e && s < end);
}
