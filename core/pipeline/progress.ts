// Progress sinks for stages: a terminal bar (count, rate, ETA, metrics) via cli-progress when stderr is a
// TTY, else throttled JSON lines on stderr (`events`), or on stdout with --json (`json`), so stdout carries either
// JSON only or the text summary only; `text` prints only text lines (when the JSON goes to a --events file). All modes
// also feed the stage's event log, and the same JSON events reach an optional tee (the --events file).
import cliProgress from 'cli-progress';
import type { ProgressSink, ProgressUpdate } from './task-context.js';
import type { EventLog } from './event-log.js';

/** How progress is shown: bars on stderr, JSON lines on stdout (`json`) or on stderr (`events`), text lines only, or nothing. */
export type ProgressMode = 'bar' | 'json' | 'events' | 'text' | 'quiet';

/** Receives each JSON event (`{event: 'progress' | 'log' | 'stage-start' | ..., stage, ...}`) as an object. */
export type EventTee = (event: Record<string, unknown>) => void;

/**
 * The mode for this process: a bar on a terminal, JSON lines on stderr otherwise; `--json` puts them on stdout.
 * With `eventsToFile` (--events FILE) a non-terminal stderr gets text lines only, the JSON going to the file.
 */
export function defaultProgressMode(json: boolean, eventsToFile = false): ProgressMode {
  if (json) return 'json';
  if (process.stderr.isTTY) return 'bar';
  return eventsToFile ? 'text' : 'events';
}

/** Where a mode's JSON lines go (undefined: it writes none). */
function jsonStream(mode: ProgressMode): NodeJS.WriteStream | undefined {
  return mode === 'json' ? process.stdout : mode === 'events' ? process.stderr : undefined;
}

function formatMetrics(metrics: Record<string, number> | undefined): string {
  if (!metrics) return '';
  return Object.entries(metrics)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join(' ');
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A sink for one stage; `finish()` closes the bar. */
export interface StageProgress extends ProgressSink {
  /** Close the bar (or print nothing) at the end of the stage. */
  finish(): void;
}

const BAR_FORMAT = '{label} [{bar}] {value}/{total} {unit} | {rate}/s | ETA {eta} | {metrics}';

/** Progress of a run: one sink per stage; on a terminal, one bar line per running stage (a cli-progress MultiBar). */
export interface ProgressBoard {
  /** The sink of stage `label`; progress also reaches `events` (at most every `eventEveryMs`) when given. */
  stage(label: string, events?: EventLog, eventEveryMs?: number): StageProgress;
  /** Print a line without breaking the bars. */
  line(text: string): void;
  /** Stop drawing (at the end of the run). */
  stop(): void;
}

/** A board for `mode`: bars share one MultiBar on stderr; JSON lines go to stdout; quiet prints nothing. JSON events also reach `tee`. */
export function createProgressBoard(mode: ProgressMode, tee?: EventTee): ProgressBoard {
  let multi: cliProgress.MultiBar | undefined;
  const bars = (): cliProgress.MultiBar => (multi ??= new cliProgress.MultiBar(barOptions(), cliProgress.Presets.shades_classic));
  return {
    stage: (label, events, eventEveryMs) => createStageProgress(mode, label, events, eventEveryMs, mode === 'bar' ? bars : undefined, tee),
    line: (text) => {
      if (mode === 'quiet') return;
      if (multi) multi.log(text + '\n');
      else process.stderr.write(text + '\n');
    },
    stop: () => multi?.stop(),
  };
}

// Options of every bar (single or in a MultiBar) on stderr.
function barOptions(): cliProgress.Options {
  return { format: BAR_FORMAT, barsize: 24, hideCursor: false, clearOnComplete: false, etaBuffer: 50, fps: 5, stream: process.stderr };
}

// The fields BAR_FORMAT shows besides the count: label, unit, metrics, rate and eta since `started` (ms).
function barFields(label: string, u: ProgressUpdate, started: number): Record<string, string> {
  const rate = u.done / Math.max(1e-3, (Date.now() - started) / 1000);
  const eta = u.total !== undefined && rate > 0 ? formatSeconds((u.total - u.done) / rate) : '?';
  return { label: label.padEnd(24), unit: u.unit ?? 'items', metrics: formatMetrics(u.metrics), rate: rate.toFixed(1), eta };
}

/**
 * Create the progress sink of stage `label`. Progress events reach `events` (and the JSON ones `tee`) at most every
 * `eventEveryMs`. In bar mode the bar lives in `multi` when given (removed when the stage finishes), else in a bar of its own.
 */
export function createStageProgress(mode: ProgressMode, label: string, events?: EventLog, eventEveryMs = 1000,
  multi?: () => cliProgress.MultiBar, tee?: EventTee): StageProgress {
  const started = Date.now();
  let lastEvent = 0;
  let lastJson = 0;
  let last: ProgressUpdate | undefined;
  let bar: cliProgress.SingleBar | undefined;
  const record = (u: ProgressUpdate, force: boolean): void => {
    const now = Date.now();
    const rate = u.done / Math.max(1e-3, (now - started) / 1000);
    if (events && (force || now - lastEvent >= eventEveryMs)) {
      lastEvent = now;
      events.write({ type: 'progress', stage: label, ...u, rate });
    }
    const json = jsonStream(mode);
    if ((json || tee) && (force || now - lastJson >= eventEveryMs)) {
      lastJson = now;
      const event = { event: 'progress', stage: label, ...u, rate: Number(rate.toFixed(3)) };
      json?.write(JSON.stringify(event) + '\n');
      tee?.(event);
    }
  };
  const draw = (u: ProgressUpdate): void => {
    const extra = barFields(label, u, started);
    if (!bar) {
      const total = u.total ?? Math.max(1, u.done);
      if (multi) bar = multi().create(total, u.done, extra);
      else {
        bar = new cliProgress.SingleBar(barOptions(), cliProgress.Presets.shades_classic);
        bar.start(total, u.done, extra);
      }
    } else {
      if (u.total !== undefined) bar.setTotal(u.total);
      else if (u.done > bar.getTotal()) bar.setTotal(u.done);
      bar.update(u.done, extra);
    }
  };
  return {
    update(u: ProgressUpdate): void {
      last = u;
      if (mode === 'bar') draw(u);
      record(u, false);
    },
    log(message: string): void {
      events?.write({ type: 'log', stage: label, message });
      tee?.({ event: 'log', stage: label, message });
      const json = jsonStream(mode);
      if (json) json.write(JSON.stringify({ event: 'log', stage: label, message }) + '\n');
      else if (mode === 'bar' && multi) multi().log(`${label}: ${message}\n`);
      else if (mode === 'bar' || mode === 'text') process.stderr.write(`${bar ? '\n' : ''}${label}: ${message}\n`);
    },
    finish(): void {
      if (last) record(last, true);
      if (bar && multi) multi().remove(bar);
      else bar?.stop();
    },
  };
}
