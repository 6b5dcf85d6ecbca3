// The shape of a `gramr` command (built into cli/ or contributed by a plugin: core/di/command-contribution.ts), what
// the application hands it when it runs, and the argument parsing shared by all of them (node:util parseArgs).
// Bad usage is a ConfigError (exit 2) that names the command and shows its usage line.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { GramrContainer } from '../di/container.js';
import type { PluginRef } from '../di/plugin-loader.js';
import { ConfigError } from '../errors.js';

/** What the application gives a command when it runs: its plugins, without the command naming them. */
export interface CommandContext {
  /** The application's plugins in load order: gramr's built-in ones, then those given with `gramr --plugin`. */
  plugins: readonly PluginRef[];
  /** A container of `plugins` (built once and shared by the command's calls). */
  container(): Promise<GramrContainer>;
}

/** Options spec as node:util parseArgs takes it, plus a help line per option. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** One `gramr` sub-command. */
export interface Command {
  /** Name typed after `gramr`. */
  name: string;
  /** One line for `gramr --help`. */
  summary: string;
  /** More text for `--help`, printed under the summary (what to know before using it). */
  notes?: string;
  /** Usage line, e.g. `gramr run FILE [--set key=value]... [--json]`. */
  usage: string;
  /** Option descriptions for `--help`, by option name. */
  help: Record<string, string>;
  /** parseArgs options. */
  options: OptionSpec;
  /**
   * String options whose value may be left out (`--graph` or `--graph dot`): when the next word is not one of
   * `choices`, `default` is used and the word stays a positional.
   */
  optionalValues?: Record<string, { default: string; choices: readonly string[] }>;
  /** Run with the parsed options and positionals; returns the exit code. */
  run(values: Record<string, unknown>, positionals: string[], context: CommandContext): Promise<number>;
}

/** Parse argv for `cmd`; unknown options are a ConfigError with the usage line. */
export function parseCommandArgs(cmd: Command, argv: string[]): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: withOptionalValues(cmd, argv), options: cmd.options, allowPositionals: true, strict: true });
    return { values: values as Record<string, unknown>, positionals };
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}\nusage: ${cmd.usage}`, `gramr ${cmd.name}`);
  }
}

/** Fill in the default of an optional-value option given without a value (see Command.optionalValues). */
function withOptionalValues(cmd: Command, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const o = argv[i].startsWith('--') ? cmd.optionalValues?.[argv[i].slice(2)] : undefined;
    out.push(argv[i]);
    if (o && !o.choices.includes(argv[i + 1] ?? '')) out.push(o.default);
  }
  return out;
}

/** The `--help` text of a command. */
export function commandHelp(cmd: Command): string {
  const lines = [`usage: ${cmd.usage}`, '', cmd.summary, ...(cmd.notes === undefined ? [] : [cmd.notes]), ''];
  const names = Object.keys(cmd.options);
  if (names.length) lines.push('options:');
  for (const n of names) {
    const o = cmd.options[n];
    const flag = `--${n}${o.short ? `, -${o.short}` : ''}${o.type === 'string' ? ' VALUE' : ''}`;
    lines.push(`  ${flag.padEnd(26)} ${cmd.help[n] ?? ''}`);
  }
  return lines.join('\n');
}

/** Require exactly `n` positionals. */
export function expectPositionals(cmd: Command, positionals: string[], names: string[]): void {
  if (positionals.length !== names.length) {
    throw new ConfigError(`expected ${names.join(' ')}, got ${positionals.length ? positionals.join(' ') : 'nothing'}\nusage: ${cmd.usage}`, `gramr ${cmd.name}`);
  }
}
