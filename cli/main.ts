#!/usr/bin/env node
// The `gramr` command: dispatches to the built-in commands (commands/index.ts) and to those plugins contribute
// (contributeCommand), with `gramr --plugin SPEC` adding outside plugins. Exit codes: 0 success, 1 the work failed,
// 2 bad usage or bad config. Errors print one clear message (the stack only with GRAMR_DEBUG=1).
import { readFileSync } from 'node:fs';
import { ConfigError, GramrError } from '../core/errors.js';
import { exitAfterDrain } from '../core/io/drain.js';
import { commandHelp, parseCommandArgs, type Command, type CommandContext } from '../core/command/command.js';
import type { CommandContribution } from '../core/di/command-contribution.js';
import type { GramrContainer } from '../core/di/container.js';
import type { PluginRef } from '../core/di/plugin-loader.js';
import { builtinPlugins } from './builtin-plugins.js';
import { COMMAND_LOADERS, loadAllCommands } from './commands/index.js';

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Leading `--plugin SPEC` / `--plugin=SPEC` options (outside plugins, resolved from the working folder) and the rest. */
function splitPluginOptions(argv: string[]): { extra: PluginRef[]; rest: string[] } {
  const extra: PluginRef[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--plugin=')) extra.push({ spec: a.slice('--plugin='.length), baseDir: process.cwd(), label: a });
    else if (a === '--plugin') {
      const spec = argv[++i];
      if (spec === undefined) throw new ConfigError('--plugin needs a path or npm name: gramr --plugin SPEC <command> ...', 'gramr');
      extra.push({ spec, baseDir: process.cwd(), label: `--plugin ${spec}` });
    } else break;
  }
  return { extra, rest: argv.slice(i) };
}

/** The context every command runs with: the plugins, and one container of them built on first use. */
function commandContext(extra: PluginRef[]): CommandContext {
  const plugins = [...builtinPlugins, ...extra];
  let container: Promise<GramrContainer> | undefined;
  const create = async (): Promise<GramrContainer> => (await import('../core/di/container.js')).createGramrContainer(plugins);
  return { plugins, container: () => (container ??= create()) };
}

/** The commands the plugins contribute; one that takes a built-in command's name is a ConfigError naming its plugin. */
async function contributions(context: CommandContext): Promise<CommandContribution[]> {
  const { contributedCommands } = await import('../core/di/command-contribution.js');
  const found = contributedCommands(await context.container());
  for (const c of found) {
    if (Object.hasOwn(COMMAND_LOADERS, c.name)) throw new ConfigError(`plugin "${c.plugin}" contributes command "${c.name}", which is a built-in command`, 'gramr');
  }
  return found;
}

async function mainHelp(context: CommandContext): Promise<string> {
  const rows = [...(await loadAllCommands()), ...(await contributions(context))];
  return [
    'gramr — generative reward models that reason (GRAM-R²)', '',
    'usage: gramr [--plugin SPEC]... <command> [options]', '', 'commands:',
    ...rows.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`), '',
    'gramr <command> --help shows a command\'s options; gramr --version prints the version;',
    '--plugin SPEC (before the command, repeatable) loads an outside plugin and the commands it contributes.',
  ].join('\n');
}

/** The command named `name`: built in (no plugin loaded), else contributed; a ConfigError listing all otherwise. */
async function findCommand(name: string, context: CommandContext): Promise<Command> {
  const builtin = Object.hasOwn(COMMAND_LOADERS, name) ? COMMAND_LOADERS[name] : undefined;
  if (builtin) return builtin();
  const contributed = await contributions(context);
  const c = contributed.find((x) => x.name === name);
  if (!c) throw new ConfigError(`unknown command "${name}"; commands: ${[...Object.keys(COMMAND_LOADERS), ...contributed.map((x) => x.name)].join(', ')}`, 'gramr');
  return c.load();
}

function report(e: unknown, prefix: string): number {
  const err = e as Error;
  process.stderr.write(`${err.message.startsWith(prefix) ? '' : `${prefix} `}${err.message}\n`);
  if (process.env.GRAMR_DEBUG === '1') process.stderr.write(`${err.stack ?? ''}\n`);
  return e instanceof GramrError ? e.exitCode : 1;
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let context: CommandContext, cmd: Command, rest: string[];
  try {
    const split = splitPluginOptions(argv);
    const [name, ...args] = split.rest;
    context = commandContext(split.extra);
    if (name === '--version' || name === '-v') {
      process.stdout.write(version() + '\n');
      return 0;
    }
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(await mainHelp(context) + '\n');
      return name === undefined ? 2 : 0;
    }
    cmd = await findCommand(name, context);
    rest = args;
  } catch (e) {
    return report(e, 'gramr:');
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(cmd) + '\n');
    return 0;
  }
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    return await cmd.run(values, positionals, context);
  } catch (e) {
    return report(e, `gramr ${cmd.name}:`);
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
