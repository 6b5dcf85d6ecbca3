// `gramr judge`: judges one pair with a checkpoint (GRAM-R² rationale + label, or GRAM v1 label logits), with
// voting@k and position handling, and prints the rationale, label and confidence (or JSON with every judgment).
import { ConfigError } from '../../core/errors.js';
import { createAppContainer } from '../app.js';
import { chooseCommandBackend } from '../../core/command/backend-option.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { JUDGE_CLI_HELP, JUDGE_CLI_OPTIONS, judgeCliSettings, openCliJudge } from '../../core/reward/judge-cli-options.js';
import type { PairVerdict } from '../../core/reward/judgment.js';
import { judgeOpenerOf } from '../../core/reward/judge-opener.js';
import { contentId } from '../../core/reward/seeds.js';
import type { Command } from '../../core/command/command.js';

/** The JSON `gramr judge --json` prints for a verdict. */
export function verdictJson(v: PairVerdict): Record<string, unknown> {
  // The rationale and raw output shown are those of the first judgment that agrees with the verdict (else the first).
  const shown = v.judgments.find((j) => j.label !== undefined && j.label === v.label) ?? v.judgments[0];
  return {
    label: v.label ?? null, confidence: v.confidence ?? null, probA: v.probA ?? null,
    rationale: shown?.rationale ?? null, raw: shown?.raw ?? null, noAnswer: v.noAnswer ?? null,
    voteTie: v.voteTie, ordersDisagree: v.ordersDisagree ?? false,
    votes: v.judgments.map((j) => ({
      order: j.order, sample: j.sample, seed: j.seed, label: j.label ?? null, shownLabel: j.shownLabel ?? null,
      confidence: j.confidence ?? null, shownProbs: j.shownProbs ?? null, noAnswer: j.noAnswer ?? null,
      truncated: j.truncated, rationale: j.rationale ?? null, raw: j.raw,
    })),
  };
}

function verdictText(v: PairVerdict): string {
  const j = verdictJson(v);
  const pct = (x: unknown): string => (typeof x === 'number' ? x.toFixed(4) : '–');
  const lines = [`rationale: ${j.rationale ?? '–'}`, `label: ${v.label ?? `no answer (${v.noAnswer ?? 'unknown'})`}`, `confidence: ${pct(v.confidence)}`];
  if (v.judgments.length > 1) {
    lines.push(`P(a better): ${pct(v.probA)}${v.voteTie ? ' (vote tie)' : ''}${v.ordersDisagree ? ' (orders disagree)' : ''}`);
    for (const x of v.judgments) {
      lines.push(`  ${x.order} #${x.sample}: ${x.label ?? `no answer (${x.noAnswer})`} (shown ${x.shownLabel ?? '–'}), confidence ${pct(x.confidence)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export const judgeCommand: Command = {
  name: 'judge',
  summary: 'Judge one pair of responses with a generative reward model: rationale, label, confidence.',
  usage: 'gramr judge --model M [--tokenizer T] --prompt P --a A --b B [--votes k] [--swap none|random|both] [--temperature t] [--max-tokens n] [--seed s] [--backend B] [--json]',
  help: { ...JUDGE_CLI_HELP, prompt: 'the user question (required)', a: 'response a, shown first in the original order (required)',
    b: 'response b (required)', instruction: 'task instruction shown above the question' },
  options: { ...JUDGE_CLI_OPTIONS, prompt: { type: 'string' }, a: { type: 'string' }, b: { type: 'string' }, instruction: { type: 'string' } },
  async run(values, positionals) {
    const where = 'gramr judge';
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\nusage: ${this.usage}`, where);
    const s = judgeCliSettings(values, where);
    for (const name of ['prompt', 'a', 'b']) if (typeof values[name] !== 'string') throw new ConfigError(`--${name} is required (an empty string is allowed)`, where);
    const container = await createAppContainer();
    const { backend } = await chooseCommandBackend(container, s.backend, where);
    try {
      const { judge, dispose } = await openCliJudge(judgeOpenerOf(container), s, backend);
      try {
        const pair = { id: contentId(values.prompt as string, values.a as string, values.b as string), prompt: values.prompt as string, a: values.a as string, b: values.b as string,
          ...(typeof values.instruction === 'string' ? { instruction: values.instruction } : {}) };
        const [v] = await judge.judge([pair], defaultTaskContext(s.seed));
        process.stdout.write(s.json ? JSON.stringify(verdictJson(v!)) + '\n' : verdictText(v!));
        return 0;
      } finally {
        dispose();
      }
    } finally {
      backend.dispose();
    }
  },
};
