// `gramr data pull BENCH...` fetches benchmark files from their Hugging Face Hub dataset repos into the Hub cache
// (the Python-compatible one: HF_HUB_CACHE / HF_HOME); `gramr data list` shows where each benchmark is read from.
// The table of benchmarks is plugins/data-sources/benchmark-data.ts.
import { ConfigError } from '../../core/errors.js';
import { BENCHMARK_KINDS, BENCHMARK_SOURCES, pullBenchmark, resolveBenchmarkPath, type BenchmarkKind } from '../../plugins/data-sources/benchmark-data.js';
import type { Command } from '../../core/command/command.js';
import { PACKAGE_ROOT } from './eval.js';

export const dataCommand: Command = {
  name: 'data',
  summary: 'Fetch benchmark data from the Hugging Face Hub into its cache (pull), or show where each benchmark is read from (list).',
  usage: 'gramr data pull BENCH... | gramr data pull --all | gramr data list',
  help: { all: 'pull every benchmark that is on the Hub' },
  options: { all: { type: 'boolean' } },
  async run(values, positionals) {
    const where = 'gramr data';
    const [sub, ...names] = positionals;
    const kinds: readonly string[] = BENCHMARK_KINDS;
    if (sub === 'list' && names.length === 0) {
      for (const k of kinds) {
        const src = BENCHMARK_SOURCES[k as BenchmarkKind];
        const at = await resolveBenchmarkPath(k as BenchmarkKind, PACKAGE_ROOT).catch(() => undefined);
        process.stdout.write(`${k.padEnd(22)} ${at ?? '(missing)'}\n${''.padEnd(22)} Hub: ${src.hub ? `datasets/${src.hub.repo} ${src.hub.files.join(', ')}` : `none (${src.upstream})`}\n`);
      }
      return 0;
    }
    if (sub !== 'pull') throw new ConfigError(`expected "pull" or "list", got ${sub === undefined ? 'nothing' : `"${sub}"`}\nusage: ${this.usage}`, where);
    const wanted = values.all === true ? kinds.filter((k) => BENCHMARK_SOURCES[k as BenchmarkKind].hub !== undefined) : names;
    if (wanted.length === 0) throw new ConfigError(`name the benchmarks to pull (${kinds.join(', ')}) or --all\nusage: ${this.usage}`, where);
    for (const k of wanted) {
      if (!kinds.includes(k)) throw new ConfigError(`unknown benchmark "${k}"; valid: ${kinds.join(', ')}`, where);
    }
    for (const k of wanted) process.stdout.write(`${k}: ${await pullBenchmark(k as BenchmarkKind)}\n`);
    return 0;
  },
};
