// Typed access to the fields of one raw record, throwing a RecordError that names file, line and field
// when a value has the wrong type. Used by every loader; relies only on errors.ts.
import { RecordError, fieldError, describeValue, type RecordLocation } from './errors.js';

/** A raw record: a JSON object. */
export type RawRecord = Record<string, unknown>;

/** The record as an object, or an error saying what the line/item holds instead. */
export function asRecord(value: unknown, loc: RecordLocation): RawRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value} (${describeValue(value)})`;
    throw new RecordError(loc, undefined, `must be a JSON object (a record), got ${what}`);
  }
  return value as RawRecord;
}

/** A field by name; a name with dots that is not itself a key walks nested objects (`meta.question`). */
export function getField(rec: RawRecord, name: string): unknown {
  if (name in rec) return rec[name];
  if (!name.includes('.')) return undefined;
  let cur: unknown = rec;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as RawRecord)[part];
  }
  return cur;
}

/** A required string field. */
export function requireString(rec: RawRecord, field: string, loc: RecordLocation): string {
  const v = getField(rec, field);
  if (typeof v !== 'string') throw fieldError(loc, field, 'a string', v);
  return v;
}

/** An optional string field (absent or null gives undefined; any other non-string is an error). */
export function optionalString(rec: RawRecord, field: string, loc: RecordLocation): string | undefined {
  const v = getField(rec, field);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fieldError(loc, field, 'a string when present', v);
  return v;
}

/** A string or a number (ids), as a non-empty string. */
export function requireId(rec: RawRecord, field: string, loc: RecordLocation): string {
  const v = getField(rec, field);
  if ((typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  throw fieldError(loc, field, 'a non-empty string or a number (the record id)', v);
}

/** A required array field, optionally of an exact length. */
export function requireArray(rec: RawRecord, field: string, loc: RecordLocation, length?: number): unknown[] {
  const v = getField(rec, field);
  if (!Array.isArray(v)) throw fieldError(loc, field, length === undefined ? 'an array' : `an array of ${length} items`, v);
  if (length !== undefined && v.length !== length) {
    throw new RecordError(loc, field, `must be an array of ${length} items, got ${v.length} items`);
  }
  return v;
}

/** A required array of strings, optionally of an exact length. */
export function requireStringArray(rec: RawRecord, field: string, loc: RecordLocation, length?: number): string[] {
  const arr = requireArray(rec, field, loc, length);
  arr.forEach((s, i) => {
    if (typeof s !== 'string') throw fieldError(loc, `${field}[${i}]`, 'a string', s);
  });
  return arr as string[];
}
