// The shared machinery of every file-backed DataSource in this plugin: options parsing (zod, with defaults),
// the read loop (limit, abort, progress, duplicate ids, `onError: skip` accounting in ReadStats) and the
// fingerprint (streamed sha256 of the files read plus the kind and options). Subclasses list their files,
// stream raw items from one file, and map one raw item to zero or more records.
import type { z } from 'zod';
import { newReadStats, type DataSource, type ReadStats } from '../../core/data/data-source.js';
import type { DataRecord } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import { ConfigError } from '../../core/errors.js';
import { packageRoot } from '../../core/pipeline/versions.js';
import { resolveBenchmarkPath, type BenchmarkKind } from './benchmark-data.js';
import { RecordError, formatLocation, type RecordLocation } from './errors.js';
import { canonicalJson, hashFiles, type InputPath, type RawItem } from './file-reading.js';
import { stratifiedSample } from './stratified-limit.js';

/** Options every kind of this plugin has. */
export interface BaseOptions {
  /** Stop after this many records. */
  limit?: number | undefined;
  /** `fail` (default): a malformed record is an error; `skip`: skip it and count it in ReadStats. */
  onError: 'fail' | 'skip';
}

/** One file a configured source reads. */
export interface SourceFile {
  /** Stable name for the fingerprint (independent of where the data folder lives), e.g. `chat_filtered.json`. */
  name: string;
  /** Where it is. */
  path: InputPath;
  /** Which part of the set it holds (domain, subset, response model), passed on to each raw item. */
  group?: string;
}

/** How many skip reasons ReadStats keeps. */
export const MAX_SKIP_REASONS = 5;

/** Turn a zod error into one readable line per problem, naming the kind. */
export function optionsError(kind: string, error: z.ZodError): Error {
  const lines = error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(options)'}: ${i.message}`);
  return new Error(`invalid options for data source "${kind}":\n${lines.join('\n')}`);
}

/** Base class: subclasses define `kind`, `schema`, `files`, `items` and `convert`. */
export abstract class FileDataSource<I, O extends BaseOptions, R extends DataRecord> implements DataSource<I, R> {
  /** The kind name configs use. */
  abstract readonly kind: string;
  /** The options schema (strict; defaults filled by parsing). */
  abstract readonly schema: z.ZodType<O, I>;

  /** The files this configuration reads, in read order. Throws DataFileError naming a missing path. */
  protected abstract files(opts: O, baseDir: string): Promise<SourceFile[]>;
  /** Raw items of one file, in file order. */
  protected abstract items(file: SourceFile, opts: O): AsyncIterable<RawItem>;
  /** Map one raw item to records; throw RecordError (naming the field) when it does not fit. */
  protected abstract convert(item: RawItem, opts: O): R[];

  /** The benchmark whose standard location an absent `path` means (benchmark-data.ts); undefined: `path` is required. */
  protected readonly standard?: BenchmarkKind;

  /** Validate options and fill defaults; the error names the kind and each bad option. */
  parseOptions(options: I): O {
    const parsed = this.schema.safeParse(options);
    if (!parsed.success) throw optionsError(this.kind, parsed.error);
    return parsed.data;
  }

  /** Where the data is when no `path` is given: the standard location (GRAMR_DATA, else the pulled Hub copy). */
  async defaultPath(): Promise<string> {
    if (this.standard === undefined) throw new ConfigError(`data source "${this.kind}" has no standard location: give it a path`);
    return resolveBenchmarkPath(this.standard, packageRoot);
  }

  /** The `path` of options that went through `resolved` (filled from the standard location when it was absent). */
  protected pathOf(opts: O): string {
    const p = (opts as { path?: unknown }).path;
    if (typeof p !== 'string') throw new ConfigError(`data source "${this.kind}": no path given and no standard location`);
    return p;
  }

  /** Parsed options with `path` filled from the standard location when absent. */
  private async resolved(options: I): Promise<O> {
    const opts = this.parseOptions(options);
    const given = (opts as { path?: unknown }).path;
    return given === undefined && this.standard !== undefined ? { ...opts, path: await this.defaultPath() } : opts;
  }

  /** Stream the records (see DataSource.read). */
  async *read(options: I, baseDir: string, ctx: TaskContext, stats: ReadStats = newReadStats()): AsyncGenerator<R> {
    const opts = await this.resolved(options);
    const stratumOf = this.stratumOf?.bind(this);
    if (stratumOf === undefined || opts.limit === undefined) {
      yield* this.readParsed(opts, baseDir, ctx, stats);
      return;
    }
    // A benchmark with domains: the limit spreads over them (stratified-limit.ts), so every record is read first.
    const all: R[] = [];
    for await (const r of this.readParsed({ ...opts, limit: undefined }, baseDir, ctx, stats)) all.push(r);
    const seed = (opts as { sampleSeed?: number }).sampleSeed ?? 0;
    yield* stratifiedSample(all, opts.limit, seed, stratumOf, (r, i) => { const id = (r as { id?: unknown }).id; return typeof id === 'string' ? id : String(i); });
  }

  /** The stratum (domain, category) of a record, for kinds whose `limit` spreads over them; undefined: the first N. */
  protected stratumOf?(record: R): string;

  private async *readParsed(opts: O, baseDir: string, ctx: TaskContext, stats: ReadStats): AsyncGenerator<R> {
    const files = await this.files(opts, baseDir);
    const seen = new Map<string, RecordLocation>();
    let emitted = 0;
    if (opts.limit !== undefined && opts.limit <= 0) return;
    for (const file of files) {
      for await (const item of this.items(file, opts)) {
        ctx.signal.throwIfAborted();
        let records: R[];
        try {
          if (item.parseError !== undefined) throw new RecordError(item.loc, undefined, item.parseError);
          records = this.convert(item, opts);
          for (const r of records) {
            const id = (r as { id?: unknown }).id;
            if (typeof id !== 'string') continue;
            const earlier = seen.get(id);
            if (earlier !== undefined) throw new RecordError(item.loc, 'id', `"${id}" was already used at ${formatLocation(earlier)}; ids must be unique`);
          }
        } catch (e) {
          if (!(e instanceof RecordError) || opts.onError !== 'skip') throw e;
          stats.skipped++;
          if (stats.skipReasons.length < MAX_SKIP_REASONS) stats.skipReasons.push(e.message);
          continue;
        }
        for (const r of records) {
          const id = (r as { id?: unknown }).id;
          if (typeof id === 'string') seen.set(id, item.loc);
          stats.read++;
          emitted++;
          yield r;
          if (emitted % 1000 === 0) ctx.progress.update({ done: emitted, unit: 'records' });
          if (opts.limit !== undefined && emitted >= opts.limit) return;
        }
      }
    }
    ctx.progress.update({ done: emitted, total: emitted, unit: 'records' });
  }

  /** sha256 of the files this configuration reads (streamed) + the kind + the parsed options as canonical JSON. */
  async fingerprint(options: I, baseDir: string): Promise<string> {
    const opts = await this.resolved(options);
    const files = await this.files(opts, baseDir);
    return hashFiles(files.map((f) => ({ name: f.name, path: f.path })), canonicalJson({ kind: this.kind, options: opts }));
  }
}
