// The JSONL event log of a stage (`<stage>/events.jsonl`): one JSON object per line with a timestamp,
// appended synchronously so a crash loses at most the line being written; a full disk is a clear WorkError. URL
// credentials are redacted.
import { appendFileSync, mkdirSync } from 'node:fs';
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
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  /** Append one event (adds `time`, ISO 8601), with the password of any URL in it redacted. */
  write(event: RunEvent): void {
    try {
      appendFileSync(this.file, redactCredentials(JSON.stringify({ time: new Date().toISOString(), ...event })) + '\n');
    } catch (e) {
      throw diskFullError(e, this.file, 'the events logged before are kept');
    }
  }
}
