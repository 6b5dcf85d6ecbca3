// Errors of the data-source plugin: RecordError for one malformed record (names file, line or index, and
// field; skippable with `onError: skip`) and DataFileError for a whole file that cannot be read or has the
// wrong shape (never skipped). Messages are for people: where, what was wrong, what is valid.

/** Where a record sits in its file. */
export interface RecordLocation {
  /** The file as shown to people (relative to the base folder when the configured path was relative). */
  file: string;
  /** 1-based line number (JSONL). */
  line?: number;
  /** 0-based index in a JSON array. */
  index?: number;
  /** The key holding the array, when the JSON file is an object (`json` kind with `arrayKey`). */
  arrayKey?: string;
}

/** `file line 17`, `file index 3`, `file key "data" index 3`. */
export function formatLocation(loc: RecordLocation): string {
  if (loc.line !== undefined) return `${loc.file} line ${loc.line}`;
  if (loc.index !== undefined) {
    return loc.arrayKey === undefined ? `${loc.file} index ${loc.index}` : `${loc.file} key "${loc.arrayKey}" index ${loc.index}`;
  }
  return loc.file;
}

/** A short, readable rendering of a value found in a record (strings quoted, long values cut). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One record does not fit: thrown by loaders, skipped and counted under `onError: skip`. */
export class RecordError extends Error {
  /** Where the record is. */
  readonly location: RecordLocation;
  /** The field at fault (`label`, `chosen[2].content`), when one field is. */
  readonly field: string | undefined;

  constructor(location: RecordLocation, field: string | undefined, problem: string) {
    super(`${formatLocation(location)}: ${field === undefined ? '' : `field "${field}" `}${problem}`);
    this.name = 'RecordError';
    this.location = location;
    this.field = field;
  }
}

/** A field's value is not what the loader accepts: `field "label" must be "A>B" or "B>A", got "A=B"`. */
export function fieldError(location: RecordLocation, field: string, expected: string, got: unknown): RecordError {
  return new RecordError(location, field, `must be ${expected}, got ${describeValue(got)}`);
}

/** A file is missing, unreadable, or of the wrong shape; never skipped. */
export class DataFileError extends Error {
  /** The file or folder, as shown to people. */
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DataFileError';
    this.file = file;
  }
}
