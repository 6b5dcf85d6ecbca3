// Resolving other plugins' kinds from inside a stage or evaluator (its trainer, its prover, its ranker): the
// container binds one lookup under KindLookupId over inversify's resolution context, so an implementation injects it
// and asks for "Trainer kind X" at run time, with X's options parsed by X's contributed schema. Unknown kinds and
// invalid options are ConfigErrors naming the place and what is valid.
import type { Container, ResolutionContext } from 'inversify';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { KindContributionId, KindLookupId, ServiceIds, type ExtensionPoint } from './identifiers.js';
import type { KindContribution } from './kind-contribution.js';

/** Looks up kinds of extension points at run time. */
export interface KindLookup {
  /** The kinds available for `point`, sorted. */
  kinds(point: ExtensionPoint): string[];
  /**
   * The implementation of `kind` and `options` parsed by its schema (defaults applied); a ConfigError naming `where`
   * and the valid kinds, or the invalid fields, otherwise.
   */
  get<T>(point: ExtensionPoint, kind: string, options: unknown, where: string): { impl: T; options: unknown };
}

/** A KindLookup over a resolution context. */
export function kindLookupOf(context: Pick<ResolutionContext, 'get' | 'getAll'>): KindLookup {
  const all = (): KindContribution[] => context.getAll<KindContribution>(KindContributionId);
  const kinds = (point: ExtensionPoint): string[] => all().filter((c) => c.point === point).map((c) => c.kind).sort();
  return {
    kinds,
    get<T>(point: ExtensionPoint, kind: string, options: unknown, where: string): { impl: T; options: unknown } {
      const c = all().find((x) => x.point === point && x.kind === kind);
      if (!c) throw new ConfigError(`${where}: unknown ${point} kind "${kind}"; valid kinds: ${kinds(point).join(', ') || '(none)'}`);
      const parsed = c.schema.safeParse(options ?? {});
      if (!parsed.success) throw new ConfigError(`${where}: ${point} "${kind}" options are invalid:\n${z.prettifyError(parsed.error)}`);
      return { impl: context.get<T>(ServiceIds[point], { name: kind }), options: parsed.data };
    },
  };
}

/** Binds the KindLookup under KindLookupId (createGramrContainer does; a test that builds its own container may). */
export function bindKindLookup(container: Pick<Container, 'bind'>): void {
  container.bind<KindLookup>(KindLookupId).toDynamicValue((context) => kindLookupOf(context)).inSingletonScope();
}

/** `{kind, ...options}` of a config entry split into the kind and the rest. */
export function splitKind(entry: { kind: string } & Record<string, unknown>): { kind: string; options: Record<string, unknown> } {
  const { kind, ...options } = entry;
  return { kind, options };
}
