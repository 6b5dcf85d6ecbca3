// The JSONL event log of a stage (`<stage>/events.jsonl`) and of `gramr run --events FILE`: one JSON object per line
// with a timestamp, each line appended by one synchronous write (O_APPEND), so a crash loses at most the line being
// written and runs appending to the same file never interleave inside a line. A partial last line left by an earlier
// crash is closed before appending; a full disk is a clear WorkError. URL credentials are redacted.
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { diskFullError } from '../io/file-io.js';
import { redactCredentials } from './redact-credentials.js';

/** One event: `type` plus free fields. */
export interface RunEvent {
  /** Event type: `stage-start`, `progress`, `log`, `stage-end`, `stage-skip`, `stage-error`. */
  type: string;
  /** Other fields. */
  [key: string]: unknown;
}

/** Appends events to a file. */
export class EventLog {
  private checkedEnd = false;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  /** Append one event (adds `time`, ISO 8601), with the password of any URL in it redacted. */
  write(event: RunEvent): void {
    this.append(event);
  }

  /** Append any JSON object as one line, `time` (ISO 8601) first, URL passwords redacted. */
  append(event: Record<string, unknown>): void {
    try {
      const line = redactCredentials(JSON.stringify({ time: new Date().toISOString(), ...event })) + '\n';
      const lead = this.checkedEnd ? '' : this.partialLineFix();
      appendFileSync(this.file, lead + line);
      this.checkedEnd = true;
    } catch (e) {
      throw diskFullError(e, this.file, 'the events logged before are kept');
    }
  }

  /** '\n' when the file ends inside a line (an earlier writer crashed mid-line), so the next line starts clean. */
  private partialLineFix(): string {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw e;
    }
    try {
      const size = fstatSync(fd).size;
      if (size === 0) return '';
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      return last[0] === 0x0a ? '' : '\n';
    } finally {
      closeSync(fd);
    }
  }
}
