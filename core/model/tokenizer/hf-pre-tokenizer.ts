// tokenizer.json `pre_tokenizer` section -> a function splitting a text segment into pieces ("words") for BPE.
// Supports ByteLevel (GPT-2 regex), Split (Isolated/Removed/MergedWithPrevious/MergedWithNext, invert),
// Metaspace (prepend_scheme always/first/never, split), Digits and Sequence; anything else is an error.
import { ModelFormatError } from '../checkpoint/model-format-error.js';
import { compileHfPattern, translateOniguruma } from './hf-regex.js';

/** Split pieces further; `atTextStart` is true when the first piece begins at offset 0 of the whole input. */
export type PreTokenize = (pieces: string[], atTextStart: boolean) => string[];

/** A compiled pre-tokenizer and whether it maps pieces to byte-level characters (ByteLevel present). */
export interface PreTokenizerPlan {
  /** The splitting function (identity when the tokenizer has no pre_tokenizer). */
  run: PreTokenize;
  /** True when a ByteLevel pre-tokenizer is present: BPE then runs on bytes, not characters. */
  byteLevel: boolean;
}

/** GPT-2's word-splitting regex, used by ByteLevel when use_regex is true. */
const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const SUPPORTED = 'ByteLevel, Split, Metaspace, Digits, Sequence';

/** How a Split keeps the delimiter matches. */
type SplitBehavior = 'Isolated' | 'Removed' | 'MergedWithPrevious' | 'MergedWithNext';

/** Compile a tokenizer.json `pre_tokenizer` value. */
export function buildPreTokenizer(config: unknown, file: string, item = 'pre_tokenizer'): PreTokenizerPlan {
  if (config === null || config === undefined) return { run: (p) => p, byteLevel: false };
  const c = config as Record<string, unknown>;
  switch (c.type) {
    case 'Sequence': {
      if (!Array.isArray(c.pretokenizers)) throw new ModelFormatError('Sequence pre-tokenizer needs a "pretokenizers" array', { file, item });
      const plans = c.pretokenizers.map((p, i) => buildPreTokenizer(p, file, `${item}.pretokenizers[${i}]`));
      return { run: (pieces, atStart) => plans.reduce((acc, p) => p.run(acc, atStart), pieces), byteLevel: plans.some((p) => p.byteLevel) };
    }
    case 'ByteLevel': {
      const addPrefixSpace = c.add_prefix_space === true;
      const re = c.use_regex === false ? undefined : new RegExp(translateOniguruma(GPT2_PATTERN, file, item), 'gu');
      if (re === undefined && !addPrefixSpace) return { byteLevel: true, run: (pieces) => pieces };
      return {
        byteLevel: true,
        run: (pieces) => pieces.flatMap((p) => {
          const text = addPrefixSpace && !p.startsWith(' ') ? ' ' + p : p;
          return re === undefined ? [text] : splitPiece(text, re, 'Isolated', false);
        }),
      };
    }
    case 'Split': {
      const re = compileHfPattern(c.pattern, file, `${item}.pattern`);
      const behavior = c.behavior;
      if (behavior !== 'Isolated' && behavior !== 'Removed' && behavior !== 'MergedWithPrevious' && behavior !== 'MergedWithNext') {
        throw new ModelFormatError(`unsupported Split behavior ${JSON.stringify(behavior)}; supported: Isolated, Removed, MergedWithPrevious, MergedWithNext`, { file, item: `${item}.behavior` });
      }
      const invert = c.invert === true;
      return { byteLevel: false, run: (pieces) => pieces.flatMap((p) => splitPiece(p, re, behavior, invert)) };
    }
    case 'Metaspace': {
      const replacement = typeof c.replacement === 'string' ? c.replacement : '▁';
      const scheme = metaspacePrependScheme(c, file, item);
      const split = c.split !== false;
      const splitRe = new RegExp(replacement.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'gu');
      return {
        byteLevel: false,
        run: (pieces, atStart) => pieces.flatMap((p, i) => {
          let text = p.replaceAll(' ', replacement);
          const prepend = scheme === 'always' || (scheme === 'first' && atStart && i === 0);
          if (prepend && !text.startsWith(replacement)) text = replacement + text;
          return split ? splitPiece(text, splitRe, 'MergedWithNext', false) : [text];
        }),
      };
    }
    case 'Digits': {
      const re = c.individual_digits === true ? /\p{N}/gu : /\p{N}+/gu;
      return { byteLevel: false, run: (pieces) => pieces.flatMap((p) => splitPiece(p, re, 'Isolated', false)) };
    }
    default:
      throw new ModelFormatError(`unsupported pre-tokenizer type ${JSON.stringify(c.type)}; supported: ${SUPPORTED}`, { file, item });
  }
}

/** Metaspace's prepend scheme, from `prepend_scheme` or the older boolean `add_prefix_space`. */
export function metaspacePrependScheme(c: Record<string, unknown>, file: string, item: string): 'always' | 'first' | 'never' {
  const s = c.prepend_scheme;
  if (s === 'always' || s === 'first' || s === 'never') return s;
  if (s !== undefined) throw new ModelFormatError(`unknown prepend_scheme ${JSON.stringify(s)}; valid: always, first, never`, { file, item: `${item}.prepend_scheme` });
  return c.add_prefix_space === false ? 'never' : 'always';
}

/** Split one piece at the matches of `re` (global), keeping matches per `behavior`; `invert` swaps matches and gaps. */
export function splitPiece(text: string, re: RegExp, behavior: SplitBehavior, invert: boolean): string[] {
  if (behavior === 'Isolated') return splitIsolated(text, re);
  const parts: { text: string; match: boolean }[] = [];
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) { re.lastIndex++; continue; }
    if (m.index > last) parts.push({ text: text.slice(last, m.index), match: invert });
    parts.push({ text: m[0], match: !invert });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), match: invert });
  const out: string[] = [];
  switch (behavior) {
    case 'Removed':
      for (const p of parts) if (!p.match) out.push(p.text);
      break;
    case 'MergedWithPrevious': {
      let prevWasGap = false;
      for (const p of parts) {
        if (p.match && prevWasGap && out.length > 0) out[out.length - 1] += p.text;
        else out.push(p.text);
        prevWasGap = !p.match;
      }
      break;
    }
    case 'MergedWithNext': {
      let pendingMatch = false;
      for (const p of parts) {
        if (!p.match && pendingMatch) out[out.length - 1] += p.text;
        else out.push(p.text);
        pendingMatch = p.match;
      }
      break;
    }
  }
  return out;
}

/** Isolated split (the common case, invert irrelevant): matches and the gaps between them, in order. */
function splitIsolated(text: string, re: RegExp): string[] {
  const out: string[] = [];
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const s = m[0];
    if (s.length === 0) { re.lastIndex++; continue; }
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(s);
    last = m.index + s.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
