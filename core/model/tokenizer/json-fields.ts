// Reading tokenizer.json values whose shape is not checked yet: a value that is not an object has no fields (so a
// `null` inside a list gives the usual "unsupported type" error, not a crash), and token ids have a ceiling so a
// hostile id cannot make the tokenizer allocate a giant table.

/** The largest token id accepted (16,777,215: a hundred times the largest vocabularies in use). */
export const MAX_TOKEN_ID = (1 << 24) - 1;

/** `v`'s fields when it is an object (arrays included), else none. */
export function fieldsOf(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
}

/** Whether `v` is a token id: an integer from 0 to MAX_TOKEN_ID. */
export function isTokenId(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TOKEN_ID;
}
