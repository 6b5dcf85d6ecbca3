// What every long-running piece of work receives: cancellation, progress reporting and a seed.
// Contracts in core take a TaskContext instead of reaching for globals.

/** One progress update. `done`/`total` count items in `unit`; `metrics` carries loss, tokens/s, accuracy... */
export interface ProgressUpdate {
  /** Items finished so far. */
  done: number;
  /** Items expected in total, when known. */
  total?: number;
  /** What an item is ("pairs", "steps", "tokens"). */
  unit?: string;
  /** Named numbers to show beside the bar and record in the event log. */
  metrics?: Record<string, number>;
  /** A short status message. */
  message?: string;
}

/** Receives progress; implementations draw a terminal bar or write JSON events. */
export interface ProgressSink {
  /** Report progress of the current task. Cheap to call often; sinks throttle drawing. */
  update(update: ProgressUpdate): void;
  /** Record a free-text log line (kept in the event log). */
  log(message: string): void;
}

/** Context handed to every asynchronous contract method. */
export interface TaskContext {
  /** Aborts the work; implementations check it between items and throw `signal.reason`. */
  signal: AbortSignal;
  /** Where progress goes. */
  progress: ProgressSink;
  /** Seed for everything random in this task; the same seed gives the same result. */
  seed: number;
}

/** A progress sink that drops everything (library use without a runner). */
export const silentProgress: ProgressSink = { update: () => {}, log: () => {} };

/** A context for one-off library calls: never aborted, silent, seed 0 unless given. */
export function defaultTaskContext(seed = 0): TaskContext {
  return { signal: new AbortController().signal, progress: silentProgress, seed };
}
