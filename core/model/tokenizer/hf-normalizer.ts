// tokenizer.json `normalizer` section -> a string function. Supports NFC/NFD/NFKC/NFKD, Lowercase, Prepend,
// Replace, Strip and Sequence (what GPT-2, Qwen, Llama 2/3, Mistral and TinyLlama use); anything else is an error.
import { ModelFormatError } from '../checkpoint/model-format-error.js';
import { compileHfPattern } from './hf-regex.js';

/** A normalizer: text in, normalized text out. */
export type Normalize = (text: string) => string;

const SUPPORTED = 'NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Strip, Sequence';

/** Build the normalizer described by a tokenizer.json `normalizer` value (null -> undefined). */
export function buildNormalizer(config: unknown, file: string, item = 'normalizer'): Normalize | undefined {
  if (config === null || config === undefined) return undefined;
  const c = config as Record<string, unknown>;
  switch (c.type) {
    case 'NFC': case 'NFD': case 'NFKC': case 'NFKD': {
      const form = c.type;
      return (t) => t.normalize(form);
    }
    case 'Lowercase':
      return (t) => t.toLowerCase();
    case 'Prepend': {
      const prepend = requireString(c.prepend, file, `${item}.prepend`);
      return (t) => (t.length > 0 ? prepend + t : t);
    }
    case 'Replace': {
      const re = compileHfPattern(c.pattern, file, `${item}.pattern`);
      const content = requireString(c.content, file, `${item}.content`);
      return (t) => t.replace(re, () => content);
    }
    case 'Strip': {
      const left = c.strip_left !== false;
      const right = c.strip_right !== false;
      return (t) => (left && right ? t.trim() : left ? t.trimStart() : right ? t.trimEnd() : t);
    }
    case 'Sequence': {
      if (!Array.isArray(c.normalizers)) throw new ModelFormatError('Sequence normalizer needs a "normalizers" array', { file, item });
      const parts = c.normalizers.map((n, i) => buildNormalizer(n, file, `${item}.normalizers[${i}]`)).filter((n): n is Normalize => n !== undefined);
      return (t) => parts.reduce((acc, f) => f(acc), t);
    }
    default:
      throw new ModelFormatError(`unsupported normalizer type ${JSON.stringify(c.type)}; supported: ${SUPPORTED}`, { file, item });
  }
}

function requireString(v: unknown, file: string, item: string): string {
  if (typeof v !== 'string') throw new ModelFormatError(`expected a string, got ${JSON.stringify(v)}`, { file, item });
  return v;
}
