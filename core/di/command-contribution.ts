// How a plugin contributes a `gramr` command: a small descriptor (name and one-line summary, for `gramr --help`)
// plus a lazy `load()` that imports the command's module only when the command runs, so listing the commands, and
// `gramr --version`, never load a command's implementation.
import type { ContainerModuleLoadOptions } from 'inversify';
import type { Command } from '../command/command.js';
import { ConfigError } from '../errors.js';
import type { GramrContainer } from './container.js';
import { CommandContributionId } from './identifiers.js';

/** Arguments of `contributeCommand`. */
export interface CommandDefinition {
  /** Name typed after `gramr`: lowercase letters, digits and dashes. */
  name: string;
  /** One line for `gramr --help` (the command's own `summary` once loaded). */
  summary: string;
  /** Imports the command's module and returns its Command; called only when the command runs or shows its help. */
  load: () => Promise<Command>;
}

/** One contributed command, as the container holds it. */
export interface CommandContribution extends CommandDefinition {
  /** The plugin that contributed it (set by `contributeCommand`). */
  plugin: string;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/** Bind one command inside a ContainerModule's load callback; a malformed name throws at load. */
export function contributeCommand(options: ContainerModuleLoadOptions, plugin: string, def: CommandDefinition): void {
  if (!NAME.test(def.name)) throw new Error(`plugin "${plugin}": command name "${def.name}" must be lowercase letters, digits and dashes, starting with a letter`);
  options.bind<CommandContribution>(CommandContributionId).toConstantValue({ ...def, plugin });
}

/** The commands the container's plugins contribute, in load order; a name given twice is a ConfigError naming both plugins. */
export function contributedCommands(c: GramrContainer): CommandContribution[] {
  const all = c.container.isBound(CommandContributionId) ? c.container.getAll<CommandContribution>(CommandContributionId) : [];
  const seen = new Map<string, CommandContribution>();
  for (const cmd of all) {
    const prev = seen.get(cmd.name);
    if (prev) throw new ConfigError(`command "${cmd.name}" is provided twice: by plugin "${prev.plugin}" and by plugin "${cmd.plugin}"`);
    seen.set(cmd.name, cmd);
  }
  return all;
}
