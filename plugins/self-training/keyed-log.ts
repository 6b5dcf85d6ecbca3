// A resumable log of per-item results keyed by id, over core's RecordWriter: an interrupted run (even kill -9)
// leaves the complete lines in `<file>.partial`; reopening reads them back so the caller redoes only the missing
// ids. Lines are flushed after every `add`.
import { RecordWriter } from '../../core/pipeline/record-writer.js';

/** Results keyed by `id`, persisted line by line. */
export class KeyedLog<T extends { id: string }> {
  private constructor(private readonly writer: RecordWriter, private readonly byId: Map<string, T>) {}

  /** Opens (or reopens after a crash) the log whose final file is `file` (a `.jsonl` path). */
  static async open<T extends { id: string }>(file: string): Promise<KeyedLog<T>> {
    const writer = await RecordWriter.open(file, Number.MAX_SAFE_INTEGER);
    const byId = new Map<string, T>();
    for await (const r of writer.earlierRecords()) byId.set((r as T).id, r as T);
    return new KeyedLog<T>(writer, byId);
  }

  /** Lines on file (from earlier runs and this one). */
  get size(): number {
    return this.byId.size;
  }

  /** The line of `id`, when there is one. */
  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** Appends the lines whose id is not yet in the log, then flushes them to disk. */
  async add(lines: readonly T[]): Promise<void> {
    for (const line of lines) {
      if (this.byId.has(line.id)) continue;
      await this.writer.append(line);
      this.byId.set(line.id, line);
    }
    await this.writer.flush();
  }

  /** Publishes the file under its final name (a later `open` still reads it back). */
  async commit(): Promise<void> {
    await this.writer.commit();
  }

  /** Flushes and closes without publishing (after an error; a rerun resumes from the partial file). */
  async abandon(): Promise<void> {
    await this.writer.abandon();
  }
}
