// Shared pieces of the fuzz pass: the fixed seed, per-property run counts with a time cap (the whole pass stays
// under 60 s), the "clean error" rule (a gramr error class with a message; anything else is a reader bug), and
// mutators that damage valid bytes or JSON the way a corrupt or hostile file would.
import test from 'ava';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GramrError } from '../../core/errors.js';
import { ModelFormatError } from '../../core/model/checkpoint/model-format-error.js';
import { DataFileError, RecordError } from '../../plugins/data-sources/errors.js';
import { HttpError } from '../../plugins/server/request-bodies.js';

/** The fixed seed of every property (GRAMR_FUZZ_SEED overrides it to explore further locally). */
export const FUZZ_SEED = Number(process.env.GRAMR_FUZZ_SEED ?? 20261207);
/** Multiplies every run count (GRAMR_FUZZ_SCALE, default 1; e.g. 20 for a long local session). */
const SCALE = Number(process.env.GRAMR_FUZZ_SCALE ?? 1);

/**
 * fast-check parameters: `numRuns` runs from the fixed seed, stopped early (and still passing) after `capMs`, so a
 * slow machine shortens the pass instead of failing it. The caps of all properties add up to 56 s.
 */
export function fuzzParams<T>(numRuns: number, capMs: number): fc.Parameters<T> {
  const scaled = Math.max(1, Math.round(numRuns * SCALE));
  return { seed: FUZZ_SEED, numRuns: scaled, interruptAfterTimeLimit: SCALE === 1 ? capMs : capMs * SCALE, endOnFailure: true };
}

/**
 * A scratch folder for one test file (removed after its tests) and a writer of numbered files in it: returns the
 * folder and `file(name, bytes)`, which writes a new file and returns its path.
 */
export function scratchFolder(prefix: string): { dir: string; file: (name: string, bytes: Uint8Array | string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  test.after.always(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return {
    dir,
    file: (name, bytes) => {
      const p = join(dir, `${n++}-${name}`);
      writeFileSync(p, bytes);
      return p;
    },
  };
}

/** Error classes that are clean answers to bad input. */
const CLEAN: Array<abstract new (...args: never[]) => Error> = [GramrError, ModelFormatError, DataFileError, RecordError, HttpError];

/** Rethrow `e` unless it is a clean gramr error with a message (then the input was rightly refused). */
export function requireClean(e: unknown): void {
  const clean = CLEAN.some((c) => e instanceof c) && (e as Error).message.trim() !== '';
  if (!clean) throw e;
}

/** Run `fn`; a clean error counts as a refusal (returns 'refused'), anything else fails the property. */
export async function cleanly<T>(fn: () => T | Promise<T>): Promise<T | 'refused'> {
  try {
    return await fn();
  } catch (e) {
    requireClean(e);
    return 'refused';
  }
}

/** `cleanly` for synchronous code. */
export function cleanlySync<T>(fn: () => T): T | 'refused' {
  try {
    return fn();
  } catch (e) {
    requireClean(e);
    return 'refused';
  }
}

/** One damage to a byte string. */
type ByteEdit = { op: 'set'; at: number; value: number } | { op: 'cut'; at: number } | { op: 'insert'; at: number; bytes: Uint8Array };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x7f, 0x80)) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
);

/** `base` with 1 to 4 random edits (set a byte, cut the tail, insert bytes). */
export function damagedBytes(base: Uint8Array): fc.Arbitrary<Buffer> {
  return fc.array(byteEdit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let buf = Buffer.from(base);
    for (const e of edits) {
      const at = buf.length === 0 ? 0 : e.at % (buf.length + 1);
      if (e.op === 'set' && at < buf.length) buf[at] = e.value;
      else if (e.op === 'cut') buf = buf.subarray(0, at);
      else if (e.op === 'insert') buf = Buffer.concat([buf.subarray(0, at), e.bytes, buf.subarray(at)]);
    }
    return Buffer.from(buf);
  });
}

/** Every path to a value inside `v` (objects and arrays), depth first, the root last. */
function paths(v: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  out.push(prefix);
  return out;
}

/** Values that break assumptions: wrong types, extremes, odd strings. */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -1, 0, 1e308, -1e308, 2 ** 53, 0.5, '', '__proto__', 'constructor', [], {}, [[]], { type: null }, '\u0000', '\ud800'),
);

/** A deep copy of `base` with 1 to 3 values inside it replaced by nasty ones or removed. */
export function damagedJson<T>(base: T): fc.Arbitrary<T> {
  const all = paths(base);
  const edit = fc.record({ which: fc.nat(), remove: fc.boolean(), value: nastyJson });
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    const doc = structuredClone(base) as unknown;
    for (const e of edits) {
      const p = all[e.which % all.length]!;
      if (p.length === 0) continue; // the root keeps its shape: callers fuzz wholly wrong documents separately
      let parent = doc as Record<string | number, unknown> | undefined;
      for (const k of p.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? (parent[k] as Record<string | number, unknown>) : undefined;
      if (parent === null || typeof parent !== 'object') continue;
      const last = p[p.length - 1]!;
      if (e.remove && !Array.isArray(parent)) delete parent[last];
      else parent[last] = e.value;
    }
    return doc as T;
  });
}
