// A byte-offset index over a JSONL file: one pass parses every line, keeps a small summary of it and where it lies,
// so a reader can hold 100k judgments' summaries in memory and read any page of full records back by offset.
import { createReadStream, promises as fs } from 'node:fs';

/** Where one line lies in its file, with the caller's summary of it. */
export interface IndexedLine<S> {
  /** Byte offset of the line. */
  offset: number;
  /** Length in bytes (without the newline). */
  length: number;
  /** The caller's summary of the parsed line. */
  summary: S;
}

/** Index every non-empty line of `file`; `summarize` gets the parsed JSON (an error names file and line). */
export async function indexJsonl<S>(file: string, summarize: (value: unknown, line: number) => S | undefined): Promise<Array<IndexedLine<S>>> {
  const out: Array<IndexedLine<S>> = [];
  let offset = 0;
  let line = 0;
  let carry: Buffer = Buffer.alloc(0);
  const take = (buf: Buffer, start: number): void => {
    line++;
    const text = buf.toString('utf8').trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file} line ${line}: not valid JSON (${(e as Error).message})`);
    }
    const summary = summarize(value, line);
    if (summary !== undefined) out.push({ offset: start, length: buf.length, summary });
  };
  for await (const chunk of createReadStream(file)) {
    const buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
      take(buf.subarray(start, i), offset + start);
      start = i + 1;
    }
    offset += start;
    carry = Buffer.from(buf.subarray(start));
  }
  if (carry.length) take(carry, offset);
  return out;
}

/** Read back and parse the lines at `entries` of `file`. */
export async function readLines(file: string, entries: ReadonlyArray<{ offset: number; length: number }>): Promise<unknown[]> {
  if (entries.length === 0) return [];
  const fh = await fs.open(file, 'r');
  try {
    return await Promise.all(entries.map(async (e) => {
      const buf = Buffer.alloc(e.length);
      await fh.read(buf, 0, e.length, e.offset);
      return JSON.parse(buf.toString('utf8')) as unknown;
    }));
  } finally {
    await fh.close();
  }
}
