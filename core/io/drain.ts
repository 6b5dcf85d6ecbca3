// Waiting for stdout and stderr to reach the operating system before the process exits: process.exit() drops
// whatever a pipe has not taken yet (a 137 KB `gramr plugins --json | cat` ended at 128 KiB). A reader that
// went away (EPIPE, `| head`) counts as drained.

/** A stream to drain: process.stdout or process.stderr, or any writable with the same members. */
export interface DrainableStream {
  /** Bytes accepted but not yet handed to the OS. */
  readonly writableLength: number;
  /** Whether the stream can no longer be written (closed, destroyed, or failed). */
  readonly destroyed: boolean;
  /** Node's write with a completion callback. */
  write(chunk: string, cb: (err?: Error | null) => void): boolean;
  /** Node's event registration. */
  once(event: 'error', listener: (err: Error) => void): unknown;
}

/** Resolves once everything written to `stream` so far has been written out (or can never be). */
export function drained(stream: DrainableStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    stream.once('error', () => resolve());
    // An empty write completes only after every earlier write has.
    stream.write('', () => resolve());
  });
}

/** Drain stdout and stderr, then exit with `code`. */
export async function exitAfterDrain(code: number): Promise<never> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}
