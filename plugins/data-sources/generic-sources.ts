// The generic file kinds: `jsonl` (JSON Lines), `jsonl-gz` (the same kind under a name that says gzip) and
// `json` (an array, or an object holding the array under `arrayKey`). Every kind detects gzip by its magic bytes,
// so any of them reads .gz files. Records map to PreferencePairs through column-map.ts.
import * as path from 'node:path';
import { injectable } from 'inversify';
import { z } from 'zod';
import type { PreferencePair } from '../../core/data/records.js';
import { columnsSchema, mapColumns } from './column-map.js';
import { limitOption, onErrorOption, orderOption, pathOption } from './common-options.js';
import { asRecord } from './fields.js';
import { FileDataSource, type SourceFile } from './file-data-source.js';
import { readJsonArrayItems, readJsonlItems, requireFile, resolveInput, type RawItem } from './file-reading.js';

const labelValue = z.enum(['A', 'B', 'tie']);

const genericShape = {
  path: pathOption(),
  limit: limitOption,
  onError: onErrorOption,
  order: orderOption,
  columns: columnsSchema.default({}).describe('Which field holds each part of a pair (see column-map.ts).'),
  labels: z.record(z.string(), labelValue).default({})
    .describe('Extra label values of a/b records, e.g. {"0": "A", "1": "B"} (defaults: A, B, 1, 2, A>B, B>A, tie).'),
  conversation: z.enum(['auto', 'text', 'hh', 'messages']).default('auto')
    .describe('How responses are read: auto-detect, plain text, HH dialogue strings, or [{role, content}] lists.'),
  source: z.string().min(1).optional().describe("The pairs' source name (default: the file name without extensions)."),
  metaFields: z.array(z.string().min(1)).default([]).describe('Record fields copied into meta.'),
};

/** Options of `jsonl` and `jsonl-gz`. */
export const jsonlOptionsSchema = z.object(genericShape).strict();
/** Options of `json`: the generic ones plus `arrayKey`. */
export const jsonOptionsSchema = z.object({
  ...genericShape,
  arrayKey: z.string().min(1).optional().describe('When the file is an object: the key (or dotted path) holding the record array.'),
}).strict();

/** Parsed options of the JSONL kinds. */
export type JsonlOptions = z.output<typeof jsonlOptionsSchema>;
/** Parsed options of the JSON kind. */
export type JsonOptions = z.output<typeof jsonOptionsSchema>;

function sourceName(opts: { source?: string | undefined; path: string }): string {
  return opts.source ?? path.basename(opts.path).replace(/(\.gz)?$/, '').replace(/\.(jsonl|json|ndjson)$/, '');
}

async function singleFile(configured: string, baseDir: string): Promise<SourceFile[]> {
  const p = resolveInput(configured, baseDir);
  await requireFile(p);
  return [{ name: path.basename(p.abs), path: p }];
}

/** `jsonl`: one JSON record per line (plain or gzip), mapped to PreferencePairs by the column map. */
@injectable()
export class JsonlSource extends FileDataSource<z.input<typeof jsonlOptionsSchema>, JsonlOptions, PreferencePair> {
  /** The kind name. */
  readonly kind: string = 'jsonl';
  /** The options schema. */
  readonly schema = jsonlOptionsSchema;

  protected files(opts: JsonlOptions, baseDir: string): Promise<SourceFile[]> {
    return singleFile(opts.path, baseDir);
  }

  protected items(file: SourceFile): AsyncIterable<RawItem> {
    return readJsonlItems(file.path);
  }

  protected convert(item: RawItem, opts: JsonlOptions): PreferencePair[] {
    const name = sourceName(opts);
    return [mapColumns(asRecord(item.value, item.loc), item.loc, opts, name, `${name}:${item.loc.line}`)];
  }
}

/** `jsonl-gz`: the `jsonl` kind under a name that says the file is gzip (gzip is detected either way). */
@injectable()
export class JsonlGzSource extends JsonlSource {
  /** The kind name. */
  override readonly kind: string = 'jsonl-gz';
}

/** `json`: a JSON array of records (or an object holding it under `arrayKey`), mapped by the column map. */
@injectable()
export class JsonSource extends FileDataSource<z.input<typeof jsonOptionsSchema>, JsonOptions, PreferencePair> {
  /** The kind name. */
  readonly kind: string = 'json';
  /** The options schema. */
  readonly schema = jsonOptionsSchema;

  protected files(opts: JsonOptions, baseDir: string): Promise<SourceFile[]> {
    return singleFile(opts.path, baseDir);
  }

  protected async *items(file: SourceFile, opts: JsonOptions): AsyncIterable<RawItem> {
    yield* await readJsonArrayItems(file.path, opts.arrayKey,
      opts.arrayKey === undefined ? 'if the records sit under a key of an object, set the "arrayKey" option to it' : '');
  }

  protected convert(item: RawItem, opts: JsonOptions): PreferencePair[] {
    const name = sourceName(opts);
    return [mapColumns(asRecord(item.value, item.loc), item.loc, opts, name, `${name}:${item.loc.index}`)];
  }
}
