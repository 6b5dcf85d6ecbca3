// One measured process of `gramr bench scale`: loads a checkpoint folder on a backend and prints one JSON line with
// load time, time to the first generated token, prefill tokens/s, decode tokens/s per batch size and peak RSS
// (VmHWM). Run in a fresh child so its peak RSS and cold start belong to this configuration alone:
// `node dist/bench/scale-run.js --model DIR [--backend onnx] [--provider cuda|webgpu] [--quantize int8|int4] [--batches 1,8,32]`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchBackend } from './bench-backend.js';

/** What one child reports. */
export interface ScaleRunResult {
  /** Backend chain as chosen (`onnx [cpu provider, 2 threads]`). */
  backend: string;
  /** Weight quantization at load ('none', 'int8', 'int4'). */
  quantize: string;
  /** Seconds from before CausalLM.load to its return. */
  load_s: number;
  /** CPU seconds (user + system, all threads) this process spent in CausalLM.load: the load time of an idle machine. */
  load_cpu_s: number;
  /** CPU seconds from before CausalLM.load to the first generated token. */
  ttft_cpu_s: number;
  /** Seconds from before CausalLM.load to the first generated token of a short text prompt (cold programs). */
  ttft_s: number;
  /** Seconds since the process started when that first token came (node start-up and imports included). */
  ttft_process_s: number;
  /** Peak RSS in bytes up to the first token. */
  peak_rss_first_token: number;
  /** Prompt tokens per second of a warm batch-1 prefill of `prefill_tokens` tokens. */
  prefill_tokens_per_s: number;
  /** Tokens of that prefill. */
  prefill_tokens: number;
  /** Warm decode tokens/s (all rows) by batch size, timed between a row's first and last generated token. */
  decode_tokens_per_s: Record<string, number>;
  /** Peak RSS in bytes over the whole run. */
  peak_rss: number;
}

/** VmHWM (peak resident set) of this process in bytes, from /proc/self/status (0 where there is no /proc). */
export function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Seeded token ids in [1000, 40000): a prompt without the tokenizer. */
export function promptIds(n: number, seed: number): number[] {
  let s = seed * 2654435761 >>> 0 || 1;
  return Array.from({ length: n }, () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return 1000 + ((s >>> 0) % 39000); });
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, dflt: string): string => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1]! : dflt; };
  const { CausalLM } = await import('../core/model/causal-lm.js');
  const quantize = arg('quantize', 'none');
  // --provider cuda|webgpu: the onnx backend on that onnxruntime execution provider (the GPU check's scale section).
  const { backend, chain } = await benchBackend(arg('backend', 'onnx'), arg('provider', ''));
  const tLoad = performance.now(), cLoad = process.cpuUsage();
  const cpuSince = (): number => { const c = process.cpuUsage(cLoad); return (c.user + c.system) / 1e6; };
  const model = await CausalLM.load(arg('model', ''), backend, quantize === 'none' ? {} : { quantize: quantize as 'int8' | 'int4' });
  const load = (performance.now() - tLoad) / 1000, loadCpu = cpuSince();
  let first = 0;
  await model.generate(['Judge which response is better.'], { maxTokens: 1, ignoreEos: true }, (e) => { if (e.token !== undefined && first === 0) first = performance.now(); });
  const ttft = (first - tLoad) / 1000, ttftCpu = cpuSince(), ttftProcess = process.uptime(), rssFirst = peakRss();
  const prefillTokens = Number(arg('prefill', '128'));
  const prompt = promptIds(prefillTokens, 7);
  let prefill = 0;
  for (let r = 0; r < 2; r++) {
    const a = performance.now();
    await model.generate([prompt], { maxTokens: 1, ignoreEos: true });
    prefill = prefillTokens / ((performance.now() - a) / 1000);
  }
  const decode: Record<string, number> = {};
  const steps = Number(arg('tokens', '16'));
  for (const b of arg('batches', '1,8,32').split(',').map(Number)) {
    const prompts = Array.from({ length: b }, (_, i) => promptIds(12, 100 + i));
    for (let r = 0; r < 2; r++) {
      const times: number[] = [];
      await model.generate(prompts, { maxTokens: steps, ignoreEos: true }, (e) => { if (e.row === 0 && e.token !== undefined) times.push(performance.now()); });
      decode[b] = (b * (times.length - 1)) / ((times.at(-1)! - times[0]!) / 1000);
    }
  }
  model.dispose();
  backend.dispose();
  const result: ScaleRunResult = {
    backend: chain, quantize, load_s: load, load_cpu_s: loadCpu, ttft_cpu_s: ttftCpu, ttft_s: ttft, ttft_process_s: ttftProcess, peak_rss_first_token: rssFirst,
    prefill_tokens_per_s: prefill, prefill_tokens: prefillTokens, decode_tokens_per_s: decode, peak_rss: peakRss(),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(() => process.exit(0), (e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
