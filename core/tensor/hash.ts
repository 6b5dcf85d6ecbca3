// Small deterministic hashing for graph structure and constant payloads (no crypto needed: cache keys only).
// 64-bit result from two independent 32-bit multiplicative lanes, printed as 16 hex digits.

/** Hash of a string, 16 hex digits. */
export function hashString(s: string): string {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return finish(h1, h2);
}

/** Hash of the bytes of a typed array, 16 hex digits. */
export function hashBytes(data: ArrayBufferView): string {
  const u = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let h1 = 0x9e3779b9, h2 = 0x85ebca6b;
  for (let i = 0; i < u.length; i++) {
    h1 = Math.imul(h1 ^ u[i]!, 2654435761);
    h2 = Math.imul(h2 ^ u[i]!, 1597334677);
  }
  return finish(h1, h2 ^ u.length);
}

function finish(a: number, b: number): string {
  let h1 = a, h2 = b;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

/** JSON with object keys sorted, so equal attributes always print the same. */
export function stableJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
