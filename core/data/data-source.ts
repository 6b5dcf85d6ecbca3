// The DataSource contract: turns a configured source (a file, a benchmark folder, a generator) into records.
// Implementations are bound by kind (`jsonl`, `rm-bench`, ...) by plugins; options are validated by the
// kind's zod schema before `read` is called.
import type { DataRecord } from './records.js';
import type { TaskContext } from '../pipeline/task-context.js';

/** Counts a source reports after reading, e.g. records skipped under `onError: skip`. */
export interface ReadStats {
  /** Records yielded. */
  read: number;
  /** Records skipped because they were malformed (only with `onError: skip`). */
  skipped: number;
  /** The first few skip reasons, each naming file, line and field. */
  skipReasons: string[];
}

/** A source of records of one kind. */
export interface DataSource<Options = unknown, R extends DataRecord = DataRecord> {
  /** The kind name a config uses to select this source. */
  readonly kind: string;
  /**
   * Stream the records. `baseDir` resolves relative paths (the pipeline file's folder).
   * Throws an error naming file, line and field for a malformed record unless options say `onError: skip`.
   */
  read(options: Options, baseDir: string, ctx: TaskContext, stats?: ReadStats): AsyncIterable<R>;
  /**
   * A string that changes whenever the records would change (content hash of the files read, plus options);
   * the runner uses it to decide whether a stage reading this source must run again.
   */
  fingerprint(options: Options, baseDir: string): Promise<string>;
  /**
   * Where the data is when the options name no `path` (a set with a standard location): the pipeline loader fills
   * `path` with it. Throws a ConfigError saying how to get the data when it is nowhere.
   */
  defaultPath?(options: Options): Promise<string>;
}

/** Fresh, zeroed read statistics. */
export function newReadStats(): ReadStats {
  return { read: 0, skipped: 0, skipReasons: [] };
}
