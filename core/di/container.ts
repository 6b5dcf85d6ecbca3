// The plugin container: the only place that imports reflect-metadata. Builds an inversify container from the
// plugins it is given (the application's built-in list, cli/builtin-plugins.ts, plus the outside plugins a pipeline
// names) and answers "which kinds exist" and "give me kind X of point P". Core names no plugin or backend itself.
import 'reflect-metadata';
import { Container } from 'inversify';
import { ConfigError } from '../errors.js';
import { KindContributionId, ServiceIds, type ExtensionPoint } from './identifiers.js';
import type { KindContribution } from './kind-contribution.js';
import { bindKindLookup } from './kind-lookup.js';
import { loadPluginModule, type PluginRef } from './plugin-loader.js';

/** The container plus the contribution index built from it. */
export class GramrContainer {
  private readonly byKey = new Map<string, KindContribution>();

  constructor(readonly container: Container, readonly contributions: KindContribution[]) {
    for (const c of contributions) {
      const key = `${c.point}/${c.kind}`;
      const prev = this.byKey.get(key);
      if (prev) {
        throw new ConfigError(`${c.point} kind "${c.kind}" is provided twice: by plugin "${prev.plugin}" and by plugin "${c.plugin}"`);
      }
      this.byKey.set(key, c);
    }
  }

  /** Kinds available for an extension point, sorted. */
  kinds(point: ExtensionPoint): string[] {
    return this.contributions.filter((c) => c.point === point).map((c) => c.kind).sort();
  }

  /** The contribution (schema, description) of one kind, or undefined. */
  contribution(point: ExtensionPoint, kind: string): KindContribution | undefined {
    return this.byKey.get(`${point}/${kind}`);
  }

  /** Resolve the implementation of `kind` for `point`; an unknown kind is a ConfigError listing the valid ones. */
  get<T>(point: ExtensionPoint, kind: string): T {
    if (!this.byKey.has(`${point}/${kind}`)) {
      throw new ConfigError(`unknown ${point} kind "${kind}"; valid kinds: ${this.kinds(point).join(', ') || '(none)'}`);
    }
    return this.container.get<T>(ServiceIds[point], { name: kind });
  }
}

/** Build a container from `plugins` (ContainerModules by path, file URL or npm name), loaded in order. */
export async function createGramrContainer(plugins: readonly PluginRef[]): Promise<GramrContainer> {
  const container = new Container();
  bindKindLookup(container);
  for (const ref of plugins) {
    const mod = await loadPluginModule(ref);
    await container.load(mod);
  }
  return new GramrContainer(container, container.getAll<KindContribution>(KindContributionId));
}
