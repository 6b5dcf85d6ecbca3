// GPT-2's reversible byte <-> printable-character map used by byte-level BPE vocabularies ("Ġ" is the space byte).
// Printable Latin-1 bytes map to themselves; the other 68 bytes map to U+0100.. in byte order.

/** BYTE_TO_CHAR[b]: the vocabulary character standing for byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** The inverse of BYTE_TO_CHAR: character -> byte. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((ch, b) => [ch, b]));

function buildByteToChar(): string[] {
  const out: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return out;
}

/** Bytes of a byte-level token string ("Ġhello" -> " hello" bytes); undefined when a character is not in the map. */
export function byteLevelTokenBytes(token: string): Uint8Array | undefined {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = CHAR_TO_BYTE.get(token[i]!);
    if (b === undefined) return undefined;
    out[i] = b;
  }
  return out;
}
