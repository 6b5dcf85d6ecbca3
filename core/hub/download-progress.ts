// Download progress: a cli-progress bar with bytes and rate on a terminal (stderr), else one JSON event line on
// stderr per second and per finished file (stdout stays for the command's own output).
import cliProgress from 'cli-progress';

/** One progress report of a file download. */
export interface DownloadEvent {
  /** The repo (`datasets/owner/name` for a dataset). */
  repo: string;
  /** The file in the repo. */
  file: string;
  /** Bytes on disk so far (including a resumed part). */
  bytes: number;
  /** Size of the file. */
  total: number;
  /** Bytes this transfer started from (> 0 when it resumed a `.incomplete` file). */
  resumedFrom: number;
  /** Transfer rate of this run in bytes per second. */
  rate: number;
  /** True on the last event of the file. */
  done: boolean;
}

/** Receives download events. */
export type DownloadListener = (e: DownloadEvent) => void;

/** Bytes with a unit: 512 B, 27.1 kB, 1.3 GB. */
function bytes(n: number): string {
  const units: Array<[number, string]> = [[1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [size, unit] of units) if (n >= size) return `${(n / size).toFixed(1)} ${unit}`;
  return `${n} B`;
}

/** A bar on a TTY, JSON lines on stderr otherwise. */
export function defaultDownloadListener(stream: NodeJS.WriteStream = process.stderr): DownloadListener {
  if (stream.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    return (e) => {
      const payload = { name: `${e.repo} ${e.file}`, size: `${bytes(e.bytes)}/${bytes(e.total)}`, rate: `${bytes(e.rate)}/s` };
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream, format: '{name} [{bar}] {size} {rate} eta {eta_formatted}', hideCursor: false, clearOnComplete: false },
          cliProgress.Presets.shades_classic);
        bar.start(Math.max(1, e.total), e.bytes, payload);
      }
      bar.update(e.bytes, payload);
      if (e.done) { bar.stop(); bar = undefined; }
    };
  }
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (!e.done && now - last < 1000) return;
    last = now;
    stream.write(JSON.stringify({ event: 'download', ...e, rate: Math.round(e.rate) }) + '\n');
  };
}
