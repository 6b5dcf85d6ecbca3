// A resumable, append-only JSONL writer for a stage's `records` output.
// Records go to `<name>.jsonl.partial`; `commit()` fsyncs and renames it to `<name>.jsonl`. After a crash
// (even kill -9) reopening truncates a torn last line, reports how many complete records survive and reads them back
// (`earlierRecords`) for the logs that resume from them. A failed write (a full disk: ENOSPC, EDQUOT) cuts the file
// back to its last complete flush and says so.
import { createReadStream, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { diskFullError, openFile, syncDir, writeAll, type OpenFile } from '../io/file-io.js';
import { WorkError } from '../errors.js';
import { LineTooLongError, maxLineBytes, splitLines } from '../io/line-reader.js';

/** Counts lines ending in '\n' and the byte offset just after the last one. */
async function completeLines(file: string): Promise<{ lines: number; end: number }> {
  let lines = 0;
  let end = 0;
  let offset = 0;
  for await (const chunk of createReadStream(file)) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) {
      lines++;
      end = offset + i + 1;
    }
    offset += buf.length;
  }
  return { lines, end };
}

/** Appends records; see the file header for the crash guarantees. */
export class RecordWriter {
  /** Records in the file so far (including those from an interrupted earlier run). */
  count: number;
  /** Complete records an interrupted earlier run left in the file when it was opened (0 for a fresh file). */
  readonly resumed: number;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private closed = false;

  private constructor(readonly file: string, private fh: FileHandle, existing: number, private readonly flushEvery: number,
    private size: number, private readonly opener: OpenFile) {
    this.count = existing;
    this.resumed = existing;
  }

  /**
   * Open (or reopen after a crash) the writer whose final file is `file` (a `.jsonl` path). `opener` is how the
   * file is opened (tests inject failing or short writes).
   */
  static async open(file: string, flushEvery = 64, opener: OpenFile = openFile): Promise<RecordWriter> {
    const partial = `${file}.partial`;
    const exists = async (p: string): Promise<boolean> => fs.access(p).then(() => true, () => false);
    // A final file without a completed stage manifest means the stage died after commit: reopen it to append.
    if (!(await exists(partial)) && (await exists(file))) await fs.rename(file, partial);
    let existing = 0;
    let size = 0;
    if (await exists(partial)) {
      const { lines, end } = await completeLines(partial);
      await fs.truncate(partial, end); // drop a torn last line
      existing = lines;
      size = end;
    }
    const fh = await opener(partial, 'a');
    return new RecordWriter(file, fh, existing, flushEvery, size, opener);
  }

  /**
   * The `resumed` records an interrupted earlier run left, in file order (open already dropped a torn last line);
   * nothing for a fresh file. Records appended since open are not read.
   */
  async *earlierRecords(): AsyncIterable<unknown> {
    if (this.resumed === 0) return;
    let n = 0;
    for await (const r of readJsonl(`${this.file}.partial`)) {
      if (n++ >= this.resumed) return;
      yield r;
    }
  }

  /** Append one record (JSON-serializable). Buffered; flushed every `flushEvery` records. */
  async append(record: unknown): Promise<void> {
    if (this.closed) throw new Error(`record writer for ${this.file} is already committed`);
    const line = JSON.stringify(record);
    if (line.includes('\n')) throw new Error(`record for ${this.file} serialized with a newline`); // never: JSON escapes
    this.buffer.push(line + '\n');
    this.bufferedBytes += line.length;
    this.count++;
    if (this.buffer.length >= this.flushEvery || this.bufferedBytes > 1 << 20) await this.flush();
  }

  /**
   * Write buffered records to the file (they survive a process kill from here on). Short writes are continued;
   * when a write fails the file is cut back to the records of the last successful flush, the buffered records are
   * dropped (`count` goes back to what the file holds) and the error says what was kept.
   */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const data = Buffer.from(this.buffer.join(''), 'utf8');
    const records = this.buffer.length;
    this.buffer = [];
    this.bufferedBytes = 0;
    try {
      await writeAll(this.fh, data);
    } catch (e) {
      this.count -= records;
      await this.fh.truncate(this.size).catch(() => undefined); // a later open drops a torn line anyway
      throw diskFullError(e, `${this.file}.partial`, `its ${this.count} records written before are kept and a re-run resumes after them`);
    }
    this.size += data.byteLength;
  }

  /** Flush, fsync and publish the file under its final name (the folder is fsynced too). Returns the record count. */
  async commit(): Promise<number> {
    await this.flush();
    try {
      await this.fh.sync();
    } catch (e) {
      throw diskFullError(e, `${this.file}.partial`, 'it was not published; a re-run resumes from it');
    }
    await this.fh.close();
    this.closed = true;
    await fs.rename(`${this.file}.partial`, this.file);
    await syncDir(path.dirname(this.file), this.opener);
    return this.count;
  }

  /** Flush and close without publishing (the stage failed; a re-run resumes from here). */
  async abandon(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.fh.close();
    }
  }
}

/**
 * Stream the records of a JSONL file, naming file and line on a parse error. Reading is linear in the file size;
 * a line longer than the cap (core/io/line-reader.ts, 64 MiB by default) is a WorkError naming file and line.
 */
export async function* readJsonl(file: string, lineCap = maxLineBytes()): AsyncIterable<unknown> {
  let line = 0;
  try {
    for await (const text of splitLines(createReadStream(file), lineCap)) {
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text) as unknown;
      } catch (e) {
        throw new WorkError(`${file} line ${line}: not valid JSON (${(e as Error).message})`);
      }
      yield value;
    }
  } catch (e) {
    if (e instanceof LineTooLongError) throw new WorkError(`${file} ${e.message}`);
    throw e;
  }
}
