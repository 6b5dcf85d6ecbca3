// Added tokens (tokenizer.json `added_tokens`): found in the raw text before normalization and BPE, leftmost and
// longest first, honouring lstrip / rstrip / single_word. Special ones can be switched off for untrusted text, for
// the whole text (parseSpecial false) or inside the spans marked by `untrusted` (untrusted-text.ts).
import { ModelFormatError } from '../checkpoint/model-format-error.js';
import { escapeRegExp } from './hf-regex.js';
import { fieldsOf, isTokenId, MAX_TOKEN_ID } from './json-fields.js';
import { overlapsSpan, readMarks } from './untrusted-text.js';

/** One tokenizer.json added token. */
export interface AddedToken {
  /** Token id. */
  id: number;
  /** The literal text that stands for the token. */
  content: string;
  /** Special tokens are skipped by decode({skipSpecial}) and not matched with parseSpecial: false. */
  special: boolean;
  /** Swallow whitespace on the left of a match. */
  lstrip: boolean;
  /** Swallow whitespace on the right of a match. */
  rstrip: boolean;
  /** Only match when not inside a word. */
  singleWord: boolean;
}

/** A piece of input text: plain text to normalize and BPE, or an added token already resolved to its id. */
export type Segment = { text: string; offset: number } | { id: number };

/** Parse and check the `added_tokens` array of a tokenizer.json. */
export function parseAddedTokens(value: unknown, file: string): AddedToken[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ModelFormatError('"added_tokens" must be an array', { file, item: 'added_tokens' });
  return value.map((raw, i) => {
    const t = fieldsOf(raw);
    if (!isTokenId(t.id) || typeof t.content !== 'string' || t.content.length === 0) {
      throw new ModelFormatError(`needs an integer "id" from 0 to ${MAX_TOKEN_ID} and a non-empty "content", got ${JSON.stringify(raw)}`, { file, item: `added_tokens[${i}]` });
    }
    return {
      id: t.id as number, content: t.content, special: t.special === true,
      lstrip: t.lstrip === true, rstrip: t.rstrip === true, singleWord: t.single_word === true,
    };
  });
}

/** Splits text at added tokens. */
export class AddedTokenSplitter {
  private readonly byContent = new Map<string, AddedToken>();
  private readonly all: RegExp | undefined;
  private readonly nonSpecial: RegExp | undefined;

  constructor(tokens: readonly AddedToken[]) {
    for (const t of tokens) this.byContent.set(t.content, t);
    this.all = alternation(tokens);
    this.nonSpecial = alternation(tokens.filter((t) => !t.special));
  }

  /**
   * Split `text` into plain-text segments and added-token ids. Special tokens are matched only with `parseSpecial`
   * and never inside an untrusted span; the untrusted marks are dropped (segment offsets are in the unmarked text).
   */
  split(marked: string, parseSpecial: boolean): Segment[] {
    const { text, spans } = readMarks(marked);
    const re = parseSpecial ? this.all : this.nonSpecial;
    if (re === undefined) return text.length > 0 ? [{ text, offset: 0 }] : [];
    const out: Segment[] = [];
    let last = 0;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      let tok = this.byContent.get(m[0])!;
      let start = m.index;
      let end = start + m[0].length;
      if (tok.special && overlapsSpan(spans, start, end)) {
        const plain = this.plainAt(text, start);
        if (plain === undefined) { re.lastIndex = start + 1; continue; }
        tok = plain;
        end = start + plain.content.length;
      }
      if (tok.singleWord && (isWordChar(text[start - 1]) || isWordChar(text[end]))) {
        re.lastIndex = start + 1;
        continue;
      }
      if (tok.lstrip) while (start > last && /\s/u.test(text[start - 1]!)) start--;
      if (tok.rstrip) while (end < text.length && /\s/u.test(text[end]!)) end++;
      if (start > last) out.push({ text: text.slice(last, start), offset: last });
      out.push({ id: tok.id });
      last = end;
      re.lastIndex = end;
    }
    if (last < text.length) out.push({ text: text.slice(last), offset: last });
    return out;
  }

  // The longest non-special added token starting exactly at `at`, if any.
  private plainAt(text: string, at: number): AddedToken | undefined {
    if (this.nonSpecial === undefined) return undefined;
    const sticky = new RegExp(this.nonSpecial.source, 'uy');
    sticky.lastIndex = at;
    const m = sticky.exec(text);
    return m === null ? undefined : this.byContent.get(m[0]);
  }
}

function alternation(tokens: readonly AddedToken[]): RegExp | undefined {
  if (tokens.length === 0) return undefined;
  const sorted = [...tokens].sort((a, b) => b.content.length - a.content.length);
  return new RegExp(sorted.map((t) => escapeRegExp(t.content)).join('|'), 'gu');
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}
