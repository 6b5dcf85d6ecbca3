// Parquet input for the loaders, read with hyparquet (the Hub publishes many sets, e.g. openai/gsm8k, as Parquet).
// Each row becomes one RawItem whose `line` is the 1-based row number, so ids match the JSON Lines form of a set.
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { DataFileError, type RecordLocation } from './errors.js';
import { readJsonlItems, requireFile, type InputPath, type RawItem } from './file-reading.js';

/** BigInt (Parquet INT64) values as numbers when exact, else strings, so rows are plain JSON values. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** Every row of a Parquet file as an item. */
export async function* readParquetItems(p: InputPath, group?: string): AsyncGenerator<RawItem> {
  await requireFile(p);
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: await asyncBufferFromFile(p.abs) });
  } catch (e) {
    throw new DataFileError(p.display, `is not a readable Parquet file (${(e as Error).message})`);
  }
  for (let i = 0; i < rows.length; i++) {
    const loc: RecordLocation = { file: p.display, line: i + 1 };
    yield { loc, value: plain(rows[i]), group };
  }
}

/** Items of a JSON Lines (.jsonl, .jsonl.gz) or Parquet (.parquet) file, by its extension. */
export function readRowItems(p: InputPath, group?: string): AsyncGenerator<RawItem> {
  return p.abs.endsWith('.parquet') ? readParquetItems(p, group) : readJsonlItems(p, group);
}
