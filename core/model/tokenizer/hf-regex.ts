// Turns a tokenizer.json pattern ({String} or {Regex}, Oniguruma syntax) into a JavaScript RegExp.
// Translates what differs between Oniguruma and JS in the patterns real tokenizers use: `(?i:...)` groups,
// `\s`/`\S` (Unicode White_Space: includes U+0085, excludes U+FEFF unlike JS) and `\d` (Unicode Nd).
import { ModelFormatError } from '../checkpoint/model-format-error.js';

/** The body of a character class equal to Unicode White_Space, as Oniguruma's and Rust's `\s` mean it. */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Compile a tokenizer.json `pattern` object into a global, Unicode-aware RegExp. */
export function compileHfPattern(pattern: unknown, file: string, item: string): RegExp {
  if (typeof pattern === 'object' && pattern !== null) {
    const p = pattern as Record<string, unknown>;
    if (typeof p.String === 'string') return new RegExp(escapeRegExp(p.String), 'gu');
    if (typeof p.Regex === 'string') {
      const source = translateOniguruma(p.Regex, file, item);
      try {
        return new RegExp(source, 'gu');
      } catch (err) {
        throw new ModelFormatError(`regex ${JSON.stringify(p.Regex)} is not supported: ${(err as Error).message}`, { file, item });
      }
    }
  }
  throw new ModelFormatError(`pattern must be {"String": "..."} or {"Regex": "..."}, got ${JSON.stringify(pattern)}`, { file, item });
}

/** Escape a literal string for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Rewrite an Oniguruma pattern into JS syntax (the subset used by BPE tokenizers). */
export function translateOniguruma(src: string, file: string, item: string): string {
  let out = '';
  let inClass = false;
  const groups: boolean[] = []; // per open group: is it a (?i:...) group
  const caseless = (): boolean => groups.includes(true);
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined) throw new ModelFormatError(`regex ${JSON.stringify(src)} ends with a lone backslash`, { file, item });
      i++;
      if (e === 's') out += inClass ? WHITE_SPACE : `[${WHITE_SPACE}]`;
      else if (e === 'S') {
        if (inClass) throw new ModelFormatError(`regex ${JSON.stringify(src)}: \\S inside a character class is not supported`, { file, item });
        out += `[^${WHITE_SPACE}]`;
      } else if (e === 'd') out += '\\p{Nd}';
      else if (e === 'D') out += '\\P{Nd}';
      else if ((e === 'p' || e === 'P') && src[i + 1] === '{') {
        const end = src.indexOf('}', i);
        out += '\\' + src.slice(i, end + 1);
        i = end;
      } else out += '\\' + e;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (caseless() && /[a-zA-Z]/.test(c)) {
        throw new ModelFormatError(`regex ${JSON.stringify(src)}: letters inside a class in a (?i:) group are not supported`, { file, item });
      }
      out += c;
      continue;
    }
    if (c === '[') { inClass = true; out += c; continue; }
    if (c === '(') {
      if (src.startsWith('(?i:', i)) { groups.push(true); out += '(?:'; i += 3; continue; }
      groups.push(false);
      out += c;
      continue;
    }
    if (c === ')') { groups.pop(); out += c; continue; }
    if (caseless() && /[a-zA-Z]/.test(c)) { out += `[${c.toLowerCase()}${c.toUpperCase()}]`; continue; }
    out += c;
  }
  return out;
}
