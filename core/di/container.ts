// The composition root: the only place that imports reflect-metadata. Builds an inversify container from the
// built-in plugins (loaded by path, so core has no static import of any plugin or backend) plus the outside
// plugins a pipeline names, and answers "which kinds exist" and "give me kind X of point P".
import 'reflect-metadata';
import { Container } from 'inversify';
import { ConfigError } from '../errors.js';
import { KindContributionId, ServiceIds, type ExtensionPoint } from './identifiers.js';
import type { KindContribution } from './kind-contribution.js';
import { loadPluginModule, type PluginRef } from './plugin-loader.js';

/** Built-in plugins and backends, as paths relative to this file (dist/core/di/). */
export const builtinPlugins: readonly string[] = [
  '../../plugins/data-sources/index.js',
  '../../plugins/basic-stages/index.js',
  '../../plugins/verifiable-math/index.js',
  '../../plugins/rankers/index.js',
  '../../plugins/evaluators/index.js',
  '../../plugins/trainers/index.js',
  '../../plugins/judging-stages/index.js',
  '../../plugins/report/index.js',
  '../../plugins/prover/index.js',
  '../../plugins/base-model/index.js',
  '../../plugins/grm/index.js',
  '../../plugins/self-training/index.js',
  '../../plugins/task-adapters/index.js',
  '../../plugins/export/index.js',
  '../../plugins/queue/index.js',
  '../../backends/cpu/plugin.js',
  '../../backends/onnx/plugin.js',
  '../../backends/webgpu/plugin.js',
];

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

/**
 * Build a container from the built-in plugins plus `extra` outside plugins (paths or npm names). With
 * `backendsOnly`, only the built-in backends load (commands that just need a backend start faster).
 */
export async function createGramrContainer(extra: PluginRef[] = [], options: { backendsOnly?: boolean } = {}): Promise<GramrContainer> {
  const container = new Container();
  const refs: PluginRef[] = [
    ...builtinPlugins.filter((p) => !options.backendsOnly || p.startsWith('../../backends/')).map((p) => ({ spec: new URL(p, import.meta.url).href, label: p.replace(/^(\.\.\/)+/, '').replace(/\/index\.js$|\.js$/, '') })),
    ...extra,
  ];
  for (const ref of refs) {
    const mod = await loadPluginModule(ref);
    await container.load(mod);
  }
  return new GramrContainer(container, container.getAll<KindContribution>(KindContributionId));
}
