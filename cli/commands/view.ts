// `gramr view RUN [--port N]`: serves a run folder as a small web page on 127.0.0.1 — its stages, reports with
// their plots, and a paged browser of each evaluate stage's judgments (filters: wrong, flipped, no answer, domain;
// both orders' prompts and rationales side by side). The server lives in plugins/viewer. A name that is not a folder is tried under runs/. SIGINT / SIGTERM stop it.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { expectPositionals, type Command } from '../../core/command/command.js';
import { serveRun } from '../../plugins/viewer/index.js';
import { intOption } from '../../core/command/option-values.js';

export const viewCommand: Command = {
  name: 'view',
  summary: 'Serve a run as a web page on 127.0.0.1: stages, reports with plots, and a judgment browser.',
  usage: 'gramr view RUN [--port N]',
  help: { port: 'port to listen on (default 8400; 0 = a free one); the page is served on 127.0.0.1 only' },
  options: { port: { type: 'string' } },
  async run(values, positionals) {
    const where = 'gramr view';
    expectPositionals(this, positionals, ['RUN']);
    const port = intOption(values, 'port', where, 0, 65535) ?? 8400;
    const arg = positionals[0]!;
    const dir = existsSync(arg) ? arg : path.join('runs', arg);
    if (!existsSync(dir)) throw new ConfigError(`no run folder ${JSON.stringify(arg)} (nor ${JSON.stringify(dir)}); give a run folder such as runs/NAME`, where);
    if (existsSync(path.join(dir, 'manifest.json'))) {
      throw new ConfigError(`${dir} is a stage folder; give its run folder (${path.dirname(dir)})`, where);
    }
    const viewer = await serveRun(dir, port);
    process.stdout.write(`${viewer.url}\n`);
    process.stderr.write(`gramr view: serving ${dir} on ${viewer.url} (Ctrl-C stops)\n`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    process.stderr.write(`gramr view: ${signal}: stopping\n`);
    await viewer.close();
    return 0;
  },
};
