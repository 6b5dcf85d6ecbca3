// Splits a stream of bytes into lines in linear time (each byte is looked at once; a long line is gathered as
// a list of pieces and joined once), with a cap on the length of one line so a file that is not line-oriented
// fails with a clear error instead of filling memory. Used by every JSON Lines reader in gramr.
import { WorkError } from '../errors.js';

/** The default longest line, in bytes, a JSON Lines file may hold (64 MiB); `GRAMR_MAX_LINE_BYTES` overrides it. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** The line cap in force: `GRAMR_MAX_LINE_BYTES` when set to a positive integer, else the default. */
export function maxLineBytes(): number {
  const env = process.env.GRAMR_MAX_LINE_BYTES;
  if (env === undefined || env === '') return DEFAULT_MAX_LINE_BYTES;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n <= 0) throw new WorkError(`GRAMR_MAX_LINE_BYTES must be a positive whole number of bytes, got "${env}"`);
  return n;
}

/** A line longer than the cap. The message starts with `line N` so readers can prefix the file name. */
export class LineTooLongError extends WorkError {
  constructor(
    /** 1-based number of the line that is too long. */
    readonly line: number,
    /** The cap it went over, in bytes. */
    readonly limit: number,
  ) {
    super(`line ${line} is longer than ${formatBytes(limit)}, the cap on one line of a JSON Lines file ` +
      '(is this file JSON Lines? GRAMR_MAX_LINE_BYTES raises the cap)');
  }
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

/**
 * The lines of `chunks` as utf-8 strings, without their '\n' (a '\r' before it is kept), numbered implicitly
 * from 1. A last line without '\n' is yielded too; an empty input yields nothing. Throws LineTooLongError as
 * soon as a line passes `limit` bytes, without reading the rest of it.
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array | string>, limit = maxLineBytes()): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let line = 0;
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      line++;
      if (partBytes + nl - start > limit) throw new LineTooLongError(line, limit);
      const piece = buf.subarray(start, nl);
      yield parts.length === 0 ? piece.toString('utf8') : Buffer.concat([...parts, piece]).toString('utf8');
      parts = [];
      partBytes = 0;
      start = nl + 1;
    }
    if (start < buf.length) {
      partBytes += buf.length - start;
      if (partBytes > limit) throw new LineTooLongError(line + 1, limit);
      parts.push(buf.subarray(start));
    }
  }
  if (parts.length > 0) yield Buffer.concat(parts).toString('utf8');
}
