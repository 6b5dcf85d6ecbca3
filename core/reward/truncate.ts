// The truncation rule for judge prompts over a token limit: the template and the user input are never cut;
// the two responses are cut from the end to a common character budget K (so the longer one is cut first),
// each cut response ends in TRUNCATION_MARKER, and K is the largest budget that fits (binary search).
// When even K = 0 does not fit, the prompt is refused (fits: false), never cut mid-template.
import type { PromptParts } from './prompts.js';

/** Appended to a response that was cut. Counted against the limit. */
export const TRUNCATION_MARKER = '\n[... truncated]';

/** The outcome of fitting a prompt. */
export interface FitResult {
  /** The parts to show (cut responses end in the marker). */
  parts: PromptParts;
  /** The rendered prompt of `parts`. */
  text: string;
  /** Token count of `text`. */
  tokens: number;
  /** Whether a response was cut. */
  truncated: boolean;
  /** Whether `text` fits the limit; false means refused (user input + template alone are too long). */
  fits: boolean;
  /** For a refusal: what was too long, in numbers. */
  reason?: string;
}

/** `s` cut to at most `k` UTF-16 units (never splitting a surrogate pair), plus `marker` when it was cut. */
export function cutResponse(s: string, k: number, marker: string = TRUNCATION_MARKER): string {
  if (s.length <= k) return s;
  let end = Math.max(0, k);
  const c = s.charCodeAt(end - 1);
  if (end > 0 && c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end) + marker;
}

/**
 * Fit `parts` into `limit` tokens as rendered by `render` and counted by `countTokens` (see the file header).
 * Assumes a longer response never counts fewer tokens than its prefix.
 */
export function fitToContext(
  parts: PromptParts, render: (p: PromptParts) => string, countTokens: (text: string) => number,
  limit: number, marker: string = TRUNCATION_MARKER,
): FitResult {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`fitToContext: limit must be a positive integer of tokens, got ${limit}`);
  const at = (k: number): FitResult => {
    const p = { userInput: parts.userInput, first: cutResponse(parts.first, k, marker), second: cutResponse(parts.second, k, marker) };
    const text = render(p);
    const tokens = countTokens(text);
    return { parts: p, text, tokens, truncated: p.first !== parts.first || p.second !== parts.second, fits: tokens <= limit };
  };
  const maxLen = Math.max(parts.first.length, parts.second.length);
  const whole = at(maxLen);
  if (whole.fits) return whole;
  const bare = at(0);
  if (!bare.fits) {
    return { ...bare, fits: false, reason: `the prompt takes ${bare.tokens} tokens with both responses cut to nothing (${whole.tokens} uncut); the limit is ${limit}` };
  }
  let lo = 0; let hi = maxLen; let best = bare;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const r = at(mid);
    if (r.fits) { lo = mid; best = r; } else hi = mid;
  }
  return best;
}
