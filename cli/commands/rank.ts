// `gramr rank`: ranks candidate responses with a checkpoint as the judge. Input: a JSONL file of
// {id?, prompt, candidates: [string | {text}]}; method: a Ranker kind (linear, knockout, full, sort); prints each
// set's ranking and the comparisons used (or one JSON object per set with --json).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { createAppContainer } from '../app.js';
import { chooseCommandBackend } from '../../core/command/backend-option.js';
import { readJsonl } from '../../core/pipeline/record-writer.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { JUDGE_CLI_HELP, JUDGE_CLI_OPTIONS, judgeCliSettings, openCliJudge } from '../../core/reward/judge-cli-options.js';
import { judgeOpenerOf } from '../../core/reward/judge-opener.js';
import { asRankInput, type RankInput } from '../../core/reward/rank-input.js';
import { rankSets, type RankedSet } from '../../core/reward/rank-sets.js';
import type { Ranker } from '../../core/reward/ranker.js';
import type { Command } from '../../core/command/command.js';
import { intOption, requiredString } from '../../core/command/option-values.js';

function rankedText(r: RankedSet, set: RankInput): string {
  const short = (t: string): string => JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t);
  const lines = [`${r.id}: best #${r.best} ${short(r.bestText)} (${r.method}: ${r.comparisons} comparisons in ${r.rounds} judge rounds)`];
  lines.push(`  ${r.complete ? 'ranking' : 'winner, then the rest by index'}: ${r.order.join(' > ')}`);
  for (const m of r.matches) lines.push(`  #${m.a} vs #${m.b}: P(#${m.a} better) = ${m.p.toFixed(4)} -> #${m.winner}`);
  if (set.texts.length === 1) lines.push('  (one candidate: nothing to compare)');
  return lines.join('\n') + '\n';
}

export const rankCommand: Command = {
  name: 'rank',
  summary: 'Rank candidate responses (best-of-n) with a generative reward model as the judge.',
  usage: 'gramr rank --model M --input FILE [--method linear|knockout|full|sort] [--swap none|random|both] [--concurrency N] [--json]',
  help: { ...JUDGE_CLI_HELP, input: 'JSONL file of {id?, prompt, candidates: [string | {text}]} (required)',
    method: 'linear (n−1 sequential), knockout (default; log2 n rounds), full (round-robin), sort (merge sort)',
    concurrency: 'sets ranked side by side, sharing judge calls (default 8)', 'pairs-per-call': 'pairs per judge call (default 64)',
    json: 'print one JSON object per set' },
  options: { ...JUDGE_CLI_OPTIONS, input: { type: 'string' }, method: { type: 'string' }, concurrency: { type: 'string' }, 'pairs-per-call': { type: 'string' } },
  async run(values, positionals) {
    const where = 'gramr rank';
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\nusage: ${this.usage}`, where);
    const s = judgeCliSettings(values, where);
    const input = path.resolve(requiredString(values, 'input', where));
    if (!existsSync(input)) throw new ConfigError(`--input ${input} does not exist`, where);
    const concurrency = intOption(values, 'concurrency', where, 1) ?? 8;
    const pairsPerCall = intOption(values, 'pairs-per-call', where, 1) ?? 64;
    const container = await createAppContainer();
    const method = typeof values.method === 'string' ? values.method : 'knockout';
    if (!container.kinds('Ranker').includes(method)) throw new ConfigError(`--method must be one of ${container.kinds('Ranker').join(', ')}, got "${method}"`, where);
    const ranker = container.get<Ranker>('Ranker', method);
    const sets: RankInput[] = [];
    let i = 0;
    for await (const r of readJsonl(input)) sets.push(asRankInput(r, i++, input));
    const { backend } = await chooseCommandBackend(container, s.backend, where);
    try {
      const { judge, dispose } = await openCliJudge(judgeOpenerOf(container), s, backend, 'none');
      try {
        let n = 0;
        await rankSets(sets, ranker, judge.asJudge(), { position: s.swap ?? 'none', pairsPerCall, concurrency }, defaultTaskContext(s.seed), (done) => {
          for (const r of done) {
            const set = sets[n++]!;
            process.stdout.write(s.json ? JSON.stringify({ ...r, prompt: set.prompt, candidates: set.texts }) + '\n' : rankedText(r, set));
          }
        });
        return 0;
      } finally {
        dispose();
      }
    } finally {
      backend.dispose();
    }
  },
};
