// `gramr judgments RUN/STAGE`: prints an evaluate stage's judgments — per record pair both orders' labels, label
// probabilities, failure reasons, raw generations and prompts (by hash; the text with --prompts) — filtered to
// wrong / flipped / unanswered pairs or a domain, paged. The reader lives in plugins/viewer. A path that is not a folder is tried under runs/.
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { expectPositionals, type Command } from '../../core/command/command.js';
import { formatPage, StageJudgments } from '../../plugins/viewer/index.js';
import { intOption } from '../../core/command/option-values.js';

/** The stage folder a RUN/STAGE argument names: as given, else under runs/; a run folder lists its stages. */
export function resolveStageDir(arg: string, where: string): string {
  const dir = existsSync(arg) ? arg : path.join('runs', arg);
  if (!existsSync(dir)) throw new ConfigError(`no folder ${JSON.stringify(arg)} (nor ${JSON.stringify(dir)}); give a stage folder such as runs/NAME/STAGE`, where);
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  const stages = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(path.join(dir, e.name)).some((f) => f.endsWith('-judgments.jsonl'))).map((e) => e.name);
  throw new ConfigError(`${dir} is not a stage folder (no manifest.json); `
    + `${stages.length ? `stages with judgments: ${stages.map((s) => path.join(dir, s)).join(', ')}` : 'it has no stage with a judgments log'}`, where);
}

export const judgmentsCommand: Command = {
  name: 'judgments',
  summary: 'Print an evaluate stage\'s judgments: prompts, generations, labels, probabilities, flips, parse failures.',
  usage: 'gramr judgments RUN/STAGE [--wrong] [--flips] [--no-answer] [--domain D] [--limit N] [--offset N] [--prompts] [--json]',
  help: {
    wrong: 'only pairs where some order\'s label is not the gold label', flips: 'only pairs whose two orders got different labels',
    'no-answer': 'only pairs where some order has no answer', domain: 'only pairs of this benchmark domain (meta.category / meta.domain)',
    limit: 'most pairs to print (default 10)', offset: 'skip this many matching pairs first (default 0)',
    prompts: 'print each rendered prompt in full', json: 'print the page as JSON (prompts included)',
  },
  options: {
    wrong: { type: 'boolean' }, flips: { type: 'boolean' }, 'no-answer': { type: 'boolean' }, domain: { type: 'string' },
    limit: { type: 'string' }, offset: { type: 'string' }, prompts: { type: 'boolean' }, json: { type: 'boolean' },
  },
  async run(values, positionals) {
    const where = 'gramr judgments';
    expectPositionals(this, positionals, ['RUN/STAGE']);
    const int = (name: string, dflt: number, min: number): number => intOption(values, name, where, min) ?? dflt;
    const limit = int('limit', 10, 1);
    const offset = int('offset', 0, 0);
    const dir = resolveStageDir(positionals[0]!, where);
    const sj = await StageJudgments.open(dir);
    const filter = {
      ...(values.wrong ? { wrong: true } : {}), ...(values.flips ? { flips: true } : {}), ...(values['no-answer'] ? { noAnswer: true } : {}),
      ...(typeof values.domain === 'string' ? { domain: values.domain } : {}),
    };
    const page = await sj.page(filter, offset, limit);
    process.stdout.write(values.json ? `${JSON.stringify(page, undefined, 2)}\n` : formatPage(page, sj.stage, values.prompts === true));
    return 0;
  },
};
