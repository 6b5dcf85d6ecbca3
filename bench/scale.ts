// `gramr bench scale`: a random checkpoint in a real layout (bench/scale-checkpoint.ts, written once into a cache
// folder), measured in fresh child processes (bench/scale-run.ts; one per weight format so each peak RSS is its
// own), beside PyTorch eager on the same file (bench/torch_scale.py, when /usr/bin/python3 has torch) and the
// machine's measured memory bandwidth, the physical limit of decoding (every weight byte read once per step).
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureScaleCheckpoint, parameterCount, scaleLayout, weightFileBytes, type ScaleDtype } from './scale-checkpoint.js';
import type { ScaleRunResult } from './scale-run.js';

/** Options of `benchScale`. */
export interface ScaleBenchOptions {
  /** Layout name (SCALE_LAYOUTS). */
  layout: string;
  /** Backend registry name for the gramr runs (default onnx). */
  backend?: string;
  /** Weight formats to run: 'none' (F32) and/or 'int8', 'int4' (default ['none']). */
  quantize?: string[];
  /** Decode batch sizes (default [1, 8, 32]). */
  batches?: number[];
  /** Generated tokens per decode measurement (default 16). */
  tokens?: number;
  /** dtype of the written checkpoint (default F32). */
  dtype?: ScaleDtype;
  /** Cache folder of the checkpoints (default .tmp/bench-scale). */
  cache?: string;
  /** Also run bench/torch_scale.py (default true). */
  torch?: boolean;
}

/** Result of the scale benchmark. */
export interface ScaleBenchResult {
  /** Layout name. */
  layout: string;
  /** Checkpoint folder measured. */
  checkpoint: string;
  /** Parameters. */
  parameters: number;
  /** Bytes of model.safetensors. */
  file_bytes: number;
  /** Bytes of the weights as F32. */
  f32_bytes: number;
  /** Measured copy bandwidth (bytes read + written per second, best of 5 copies of 512 MiB). */
  bandwidth_bytes_per_s: number;
  /** Decode steps per second if one step only had to read the F32 weights once at that bandwidth (read half). */
  f32_decode_limit_tokens_per_s: number;
  /** 1-minute load average when the bench started (other work on the machine). */
  load_average: number;
  /** One result per weight format. */
  runs: ScaleRunResult[];
  /** PyTorch eager on the same file, or why it did not run. */
  torch: Record<string, unknown> | string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Best copy bandwidth of 512 MiB with TypedArray#set (a memcpy), in bytes read + written per second. */
export function copyBandwidth(): number {
  const n = 128 * 1024 * 1024;
  const a = new Float32Array(n).fill(1), b = new Float32Array(n);
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    b.set(a);
    best = Math.max(best, (2 * a.byteLength) / ((performance.now() - t) / 1000));
  }
  return best;
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 1 << 24, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(args[0] ?? file)} failed: ${stderr.trim().split('\n').slice(-3).join(' | ') || err.message}`));
      else resolve(stdout);
    });
  });
}

const lastJson = (out: string): Record<string, unknown> => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;

/** Writes (once) and measures the checkpoint; see ScaleBenchOptions for defaults. */
export async function benchScale(opts: ScaleBenchOptions): Promise<ScaleBenchResult> {
  const config = scaleLayout(opts.layout);
  const dtype = opts.dtype ?? 'F32';
  const data = process.env.GRAMR_DATA ?? '../shared/data';
  const dir = path.resolve(opts.cache ?? '.tmp/bench-scale', `${opts.layout}-${dtype.toLowerCase()}`);
  const load = loadavg()[0]!;
  await ensureScaleCheckpoint(opts.layout, dir, path.join(data, 'gpt2-tokenizer', 'tokenizer.json'), dtype);
  const bandwidth = copyBandwidth();
  const parameters = parameterCount(config);
  const batches = (opts.batches ?? [1, 8, 32]).join(',');
  const runs: ScaleRunResult[] = [];
  for (const q of opts.quantize ?? ['none']) {
    const out = await run(process.execPath, [path.join(here, 'scale-run.js'), '--model', dir, '--backend', opts.backend ?? 'onnx', '--quantize', q,
      '--batches', batches, '--tokens', String(opts.tokens ?? 16)], 3_600_000);
    runs.push(lastJson(out) as unknown as ScaleRunResult);
  }
  let torch: Record<string, unknown> | string = 'not run (--no-torch)';
  if (opts.torch !== false) {
    const script = path.resolve(here, '../../bench/torch_scale.py');
    torch = await run('/usr/bin/python3', [script, '--model', dir, '--batches', batches, '--tokens', String(opts.tokens ?? 16)], 3_600_000)
      .then(lastJson, (e: Error) => `unavailable: ${e.message}`);
  }
  return {
    layout: opts.layout, checkpoint: dir, parameters, file_bytes: await weightFileBytes(dir), f32_bytes: parameters * 4,
    bandwidth_bytes_per_s: bandwidth, f32_decode_limit_tokens_per_s: bandwidth / 2 / (parameters * 4), load_average: load, runs, torch,
  };
}

const gb = (x: number): string => (x / 1e9).toFixed(2);

/** A few lines of text for the terminal. */
export function scaleText(r: ScaleBenchResult): string {
  const lines = [`scale ${r.layout}: ${(r.parameters / 1e9).toFixed(2)}B parameters, file ${gb(r.file_bytes)} GB, F32 ${gb(r.f32_bytes)} GB; `
    + `copy bandwidth ${gb(r.bandwidth_bytes_per_s)} GB/s -> F32 decode limit ~${r.f32_decode_limit_tokens_per_s.toFixed(1)} tokens/s; load average ${r.load_average.toFixed(1)}`];
  for (const x of r.runs) {
    lines.push(`  ${x.quantize === 'none' ? 'f32' : x.quantize} on ${x.backend}: load ${x.load_s.toFixed(2)} s, first token ${x.ttft_s.toFixed(2)} s `
      + `(${x.ttft_process_s.toFixed(2)} s after process start), prefill ${x.prefill_tokens_per_s.toFixed(1)} tokens/s, decode `
      + Object.entries(x.decode_tokens_per_s).map(([b, v]) => `b${b} ${v.toFixed(1)}`).join(' / ') + ` tokens/s, peak RSS ${gb(x.peak_rss)} GB `
      + `(${(x.peak_rss / r.f32_bytes).toFixed(2)}x F32 weights; ${gb(x.peak_rss_first_token)} GB at the first token)`);
  }
  if (typeof r.torch === 'string') lines.push(`  torch: ${r.torch}`);
  else {
    const t = r.torch as { load_s: number; ttft_s: number; prefill_tokens_per_s: number; decode_tokens_per_s: Record<string, number>; peak_rss: number; version: string };
    lines.push(`  torch ${t.version} eager: load ${t.load_s.toFixed(2)} s, first token ${t.ttft_s.toFixed(2)} s, prefill ${t.prefill_tokens_per_s.toFixed(1)} tokens/s, decode `
      + Object.entries(t.decode_tokens_per_s).map(([b, v]) => `b${b} ${v.toFixed(1)}`).join(' / ') + ` tokens/s, peak RSS ${gb(t.peak_rss)} GB`);
  }
  return lines.join('\n');
}
