#!/usr/bin/env node
// The `gramr` command: dispatches to sub-commands. Exit codes: 0 success, 1 the work failed,
// 2 bad usage or bad config. Errors print one clear message (the stack only with GRAMR_DEBUG=1).
import { readFileSync } from 'node:fs';
import { GramrError } from '../core/errors.js';
import { exitAfterDrain } from '../core/io/drain.js';
import { commandHelp, parseCommandArgs } from '../core/command/command.js';
import { COMMAND_LOADERS, loadAllCommands } from './commands/index.js';

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

async function mainHelp(): Promise<string> {
  const commands = await loadAllCommands();
  return [
    'gramr — generative reward models that reason (GRAM-R²)', '',
    'usage: gramr <command> [options]', '', 'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`), '',
    'gramr <command> --help shows a command\'s options; gramr --version prints the version.',
  ].join('\n');
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await mainHelp() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(version() + '\n');
    return 0;
  }
  const load = Object.hasOwn(COMMAND_LOADERS, name) ? COMMAND_LOADERS[name] : undefined;
  if (!load) {
    process.stderr.write(`gramr: unknown command "${name}"; commands: ${Object.keys(COMMAND_LOADERS).join(', ')}\n`);
    return 2;
  }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(cmd) + '\n');
    return 0;
  }
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    return await cmd.run(values, positionals);
  } catch (e) {
    const err = e as Error;
    const code = e instanceof GramrError ? e.exitCode : 1;
    const prefix = `gramr ${cmd.name}:`;
    process.stderr.write(`${err.message.startsWith(prefix) ? '' : `${prefix} `}${err.message}\n`);
    if (process.env.GRAMR_DEBUG === '1') process.stderr.write(`${err.stack ?? ''}\n`);
    return code;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${(await import('node:fs')).realpathSync(process.argv[1])}`).href;
if (isEntry) {
  // A reader that leaves early (`gramr plugins --json | head`) is not an error of the command.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE') throw e; });
  const code = await main(process.argv.slice(2));
  // Explicit exit (native runtimes such as onnxruntime or Dawn may keep handles open), once the output is written.
  await exitAfterDrain(code);
}
