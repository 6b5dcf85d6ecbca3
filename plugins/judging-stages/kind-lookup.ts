// A service this plugin binds so its stages can reach other plugins' kinds (Evaluator, Ranker) by the name a config
// gives, with the kind's contributed schema for an early, named options error. Bound with a dynamic value whose
// resolution context is kept: modules only bind; lookups happen when a stage runs.
import type { ContainerModuleLoadOptions, ResolutionContext } from 'inversify';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { KindContributionId, ServiceIds, type ExtensionPoint } from '../../core/di/identifiers.js';
import type { KindContribution } from '../../core/di/kind-contribution.js';

/** Service identifier of the KindLookup. */
export const KindLookupId = Symbol.for('gramr.judging-stages.KindLookup');

/** Resolves kinds of extension points at run time. */
export interface KindLookup {
  /** The kinds of `point`, sorted. */
  kinds(point: ExtensionPoint): string[];
  /**
   * The implementation of `kind` and its options parsed by the kind's schema. An unknown kind or invalid options
   * is a ConfigError naming `where` (e.g. `stage "evaluate": evaluator`) and what is valid.
   */
  get<T>(point: ExtensionPoint, kind: string, options: unknown, where: string): { impl: T; options: unknown };
}

/** Bind the KindLookup in a module's load callback. */
export function bindKindLookup(options: ContainerModuleLoadOptions): void {
  options.bind<KindLookup>(KindLookupId).toDynamicValue((ctx: ResolutionContext) => lookupFrom(ctx)).inSingletonScope();
}

function lookupFrom(ctx: ResolutionContext): KindLookup {
  const contributions = (): KindContribution[] => ctx.getAll<KindContribution>(KindContributionId);
  const kinds = (point: ExtensionPoint): string[] => contributions().filter((c) => c.point === point).map((c) => c.kind).sort();
  return {
    kinds,
    get<T>(point: ExtensionPoint, kind: string, options: unknown, where: string): { impl: T; options: unknown } {
      const c = contributions().find((x) => x.point === point && x.kind === kind);
      if (!c) throw new ConfigError(`unknown ${point} kind "${kind}"; valid kinds: ${kinds(point).join(', ') || '(none)'}`, where);
      const parsed = c.schema.safeParse(options ?? {});
      if (!parsed.success) throw new ConfigError(`${point} "${kind}" options are invalid:\n${z.prettifyError(parsed.error)}`, where);
      return { impl: ctx.get<T>(ServiceIds[point], { name: kind }), options: parsed.data };
    },
  };
}
