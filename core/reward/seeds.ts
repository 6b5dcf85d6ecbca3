// Deterministic seeds and coin flips derived from a base seed and names (pair id, order, sample index), so a
// choice depends only on what it is about, never on batching or iteration order.
import { createHash } from 'node:crypto';

/** A 32-bit unsigned seed from a base seed and any parts: the first 4 bytes of sha256 over them. */
export function deriveSeed(seed: number, ...parts: Array<string | number>): number {
  const h = createHash('sha256').update(`gramr/seed/v1\0${seed}`);
  for (const p of parts) h.update(`\0${typeof p}:${p}`);
  return h.digest().readUInt32BE(0);
}

/** A fair, deterministic coin for `key` under `seed`: true about half the time over many keys. */
export function seededCoin(seed: number, key: string): boolean {
  return (deriveSeed(seed, 'coin', key) & 1) === 1;
}

/** A content-derived id for pairs that come without one: "sha256:" + 16 hex digits over [prompt, a, b]. */
export function contentId(prompt: string, a: string, b: string): string {
  return `sha256:${createHash('sha256').update(JSON.stringify([prompt, a, b])).digest('hex').slice(0, 16)}`;
}
