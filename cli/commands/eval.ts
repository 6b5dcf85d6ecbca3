// `gramr eval`: evaluates a checkpoint (a folder, a .bin or a Hub id) as a judge on a benchmark (rm-bench,
// judgebench, llmbar from GRAMR_DATA or ../shared/data beside the package, else from the Hub cache after `gramr data
// pull`) or on a JSONL / JSON file of pairs, with the matching evaluator kind, and prints its markdown report (or
// JSON). Data sources and evaluators come from the plugin container; the data paths from
// plugins/data-sources/benchmark-data.ts.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, WorkError } from '../../core/errors.js';
import { resolveBenchmarkPath, type BenchmarkKind } from '../../plugins/data-sources/benchmark-data.js';
import type { DataSource } from '../../core/data/data-source.js';
import type { DataRecord } from '../../core/data/records.js';
import type { GramrContainer } from '../../core/di/container.js';
import { createAppContainer } from '../app.js';
import { chooseCommandBackend } from '../../core/command/backend-option.js';
import type { ProgressSink, TaskContext } from '../../core/pipeline/task-context.js';
import type { Evaluator } from '../../core/reward/evaluator.js';
import { JUDGE_CLI_HELP, JUDGE_CLI_OPTIONS, judgeCliSettings, openCliJudge } from '../../core/reward/judge-cli-options.js';
import { judgeOpenerOf } from '../../core/reward/judge-opener.js';
import type { Command } from '../../core/command/command.js';
import { intOption, requiredString } from '../../core/command/option-values.js';

/** The package root (dist/cli/commands -> the repository / package folder). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What each named benchmark reads and how it is evaluated. */
const BENCHES: Record<string, { source: string; evaluator: string; options: Record<string, unknown> }> = {
  'rm-bench': { source: 'rm-bench', evaluator: 'rm-bench', options: {} },
  judgebench: { source: 'judgebench', evaluator: 'judgebench', options: {} },
  llmbar: { source: 'llmbar', evaluator: 'pairwise', options: { groupBy: 'meta.subset' } },
};

/** The data path of a benchmark kind: GRAMR_DATA or ../shared/data, else the Hub cache (plugins/data-sources/benchmark-data.js). */
function standardPath(kind: string): Promise<string> {
  return resolveBenchmarkPath(kind as BenchmarkKind, PACKAGE_ROOT);
}

/** Parse `raw` options of a kind with its contributed schema (ConfigError naming the kind). */
function kindOptions(c: GramrContainer, point: 'DataSource' | 'Evaluator', kind: string, raw: Record<string, unknown>): unknown {
  const contribution = c.contribution(point, kind);
  if (!contribution) throw new ConfigError(`unknown ${point} kind "${kind}"; valid kinds: ${c.kinds(point).join(', ')}`, 'gramr eval');
  const r = contribution.schema.safeParse(raw);
  if (!r.success) throw new ConfigError(`${point} "${kind}" options are invalid:\n${z.prettifyError(r.error)}`, 'gramr eval');
  return r.data;
}

/** Progress on stderr when it is a terminal; nothing otherwise. */
function stderrProgress(): ProgressSink {
  const tty = process.stderr.isTTY === true;
  return {
    update: (u) => { if (tty) process.stderr.write(`\r${u.done}${u.total !== undefined ? `/${u.total}` : ''} ${u.unit ?? 'items'}   `); },
    log: (m) => { if (tty) process.stderr.write(`${m}\n`); },
  };
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluate a checkpoint as a judge on RM-Bench, JudgeBench, LLMBar or a file of pairs; print the report.',
  usage: 'gramr eval --model M --bench rm-bench|judgebench|llmbar|FILE [--limit N] [--swap none|random|both] [--batch N] [--evaluator KIND] [--json]',
  help: { ...JUDGE_CLI_HELP, bench: 'rm-bench, judgebench or llmbar (from GRAMR_DATA or ../shared/data, else `gramr data pull`), or a .jsonl / .json file of pairs',
    limit: 'read at most N records', evaluator: 'evaluator kind (default: rm-bench, judgebench, or pairwise for llmbar and files)',
    'pairs-per-call': 'pairs per judge call (default 64)', json: 'print the report as JSON (metrics, counts, tables, notes, markdown)' },
  options: { ...JUDGE_CLI_OPTIONS, bench: { type: 'string' }, limit: { type: 'string' }, evaluator: { type: 'string' }, 'pairs-per-call': { type: 'string' } },
  async run(values, positionals) {
    const where = 'gramr eval';
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\nusage: ${this.usage}`, where);
    const s = judgeCliSettings(values, where);
    const bench = requiredString(values, 'bench', where);
    const limit = intOption(values, 'limit', where, 1);
    const pairsPerCall = intOption(values, 'pairs-per-call', where, 1) ?? 64;
    const container = await createAppContainer();
    const named = BENCHES[bench];
    let sourceKind: string, dataPath: string;
    if (named) {
      sourceKind = named.source;
      dataPath = await standardPath(bench);
    } else {
      dataPath = path.resolve(bench);
      if (!existsSync(dataPath)) throw new ConfigError(`--bench "${bench}" is neither a benchmark (${Object.keys(BENCHES).join(', ')}) nor an existing file`, where);
      sourceKind = /\.json$/i.test(dataPath) ? 'json' : 'jsonl';
    }
    const evaluatorKind = typeof values.evaluator === 'string' ? values.evaluator : named?.evaluator ?? 'pairwise';
    const sourceOptions = kindOptions(container, 'DataSource', sourceKind, { path: dataPath, ...(limit !== undefined ? { limit } : {}) });
    const evalOptions = kindOptions(container, 'Evaluator', evaluatorKind, {
      ...(evaluatorKind === named?.evaluator ? named.options : {}),
      ...(s.swap !== undefined && evaluatorKind !== 'position-bias' ? { position: s.swap } : {}), batchSize: pairsPerCall,
    });
    const ctx: TaskContext = { signal: new AbortController().signal, progress: stderrProgress(), seed: s.seed };
    const records: DataRecord[] = [];
    for await (const r of container.get<DataSource>('DataSource', sourceKind).read(sourceOptions, PACKAGE_ROOT, ctx)) records.push(r);
    const evaluator = container.get<Evaluator>('Evaluator', evaluatorKind);
    const { backend, chain } = await chooseCommandBackend(container, s.backend, where);
    try {
      const { judge, model, dispose } = await openCliJudge(judgeOpenerOf(container), s, backend, 'none');
      try {
        // The evaluator decides the orders; the PairJudge judges each pair as given (with its voting).
        const t0 = performance.now();
        const report = await evaluator.evaluate(records, judge.asJudge(), evalOptions, ctx);
        const seconds = (performance.now() - t0) / 1000;
        if (process.stderr.isTTY) process.stderr.write('\n');
        const run = { model: s.modelPath, bench, data: dataPath, records: records.length, evaluator: evaluatorKind, backend: chain,
          chat: model.chatKind, seconds: Number(seconds.toFixed(3)) };
        process.stdout.write(s.json ? JSON.stringify({ ...report, run }) + '\n'
          : `${report.markdown.trimEnd()}\n\n_${records.length} records from ${dataPath}; evaluator ${evaluatorKind}; model ${s.modelPath} (chat: ${model.chatKind}); backend ${chain}; ${seconds.toFixed(1)} s_\n`);
        return 0;
      } finally {
        dispose();
      }
    } finally {
      backend.dispose();
    }
  },
};
