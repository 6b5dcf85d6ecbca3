// tokenizer.json `decoder` section -> token-to-bytes rules. ByteLevel maps GPT-2 byte characters back to bytes;
// Metaspace and Sequence[Replace, ByteFallback, Fuse, Strip] (Llama 2 / TinyLlama) map "▁" to a space, `<0xXX>`
// to raw bytes, and strip the leading space of the decoded text.
import { ModelFormatError } from '../checkpoint/model-format-error.js';
import { byteLevelTokenBytes } from './byte-level-map.js';
import { metaspacePrependScheme } from './hf-pre-tokenizer.js';
import { fieldsOf } from './json-fields.js';

/** How a vocabulary token turns back into bytes. */
export interface DecodeRules {
  /** Tokens are GPT-2 byte-level strings. */
  byteLevel: boolean;
  /** Literal replacements applied to token text (e.g. "▁" -> " "). */
  replacements: [string, string][];
  /** `<0xXX>` tokens are raw bytes. */
  byteFallback: boolean;
  /** How many leading spaces to strip from the start of the decoded text. */
  stripLeadingSpaces: number;
}

const SUPPORTED = 'ByteLevel, Metaspace, Sequence of Replace / ByteFallback / Fuse / Strip';

/** Parse a tokenizer.json `decoder` value. */
export function parseDecoder(config: unknown, file: string): DecodeRules {
  const rules: DecodeRules = { byteLevel: false, replacements: [], byteFallback: false, stripLeadingSpaces: 0 };
  if (config === null || config === undefined) {
    throw new ModelFormatError(`tokenizer.json has no decoder; supported decoders: ${SUPPORTED}`, { file, item: 'decoder' });
  }
  addDecoder(config, rules, file, 'decoder');
  return rules;
}

function addDecoder(config: unknown, rules: DecodeRules, file: string, item: string): void {
  const c = fieldsOf(config);
  switch (c.type) {
    case 'ByteLevel':
      rules.byteLevel = true;
      return;
    case 'Metaspace': {
      const rep = typeof c.replacement === 'string' ? c.replacement : '▁';
      rules.replacements.push([rep, ' ']);
      if (metaspacePrependScheme(c, file, item) !== 'never') rules.stripLeadingSpaces = Math.max(rules.stripLeadingSpaces, 1);
      return;
    }
    case 'Replace': {
      const p = c.pattern as Record<string, unknown> | undefined;
      if (typeof p?.String !== 'string' || typeof c.content !== 'string') {
        throw new ModelFormatError('a Replace decoder needs {"pattern": {"String": ...}, "content": ...}', { file, item });
      }
      rules.replacements.push([p.String, c.content]);
      return;
    }
    case 'ByteFallback':
      rules.byteFallback = true;
      return;
    case 'Fuse':
      return;
    case 'Strip': {
      if (c.content !== ' ' || (typeof c.stop === 'number' && c.stop !== 0)) {
        throw new ModelFormatError('only Strip decoders removing leading spaces ({"content": " ", "stop": 0}) are supported', { file, item });
      }
      rules.stripLeadingSpaces = typeof c.start === 'number' ? c.start : 0;
      return;
    }
    case 'Sequence':
      if (!Array.isArray(c.decoders)) throw new ModelFormatError('Sequence decoder needs a "decoders" array', { file, item });
      c.decoders.forEach((d, i) => addDecoder(d, rules, file, `${item}.decoders[${i}]`));
      return;
    default:
      throw new ModelFormatError(`unsupported decoder type ${JSON.stringify(c.type)}; supported: ${SUPPORTED}`, { file, item });
  }
}

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

/** The bytes a vocabulary token decodes to under `rules`. */
export function tokenBytes(token: string, rules: DecodeRules): Uint8Array {
  if (rules.byteFallback) {
    const m = BYTE_TOKEN.exec(token);
    if (m !== null) return Uint8Array.of(parseInt(m[1]!, 16));
  }
  if (rules.byteLevel) {
    const bytes = byteLevelTokenBytes(token);
    if (bytes !== undefined) return bytes;
  }
  let text = token;
  for (const [from, to] of rules.replacements) text = text.replaceAll(from, to);
  return Buffer.from(text, 'utf8');
}
