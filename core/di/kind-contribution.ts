// How a plugin contributes one kind: it binds the implementation under the extension point, named by
// kind, and binds a KindContribution (options schema + description) that core assembles into the
// pipeline schema, `gramr plugins` and docs/config-reference.md.
import type { ContainerModuleLoadOptions } from 'inversify';
import type { z } from 'zod';
import { KindContributionId, ServiceIds, type ExtensionPoint } from './identifiers.js';

/** The schema and description of one kind of one extension point. */
export interface KindContribution {
  /** The extension point this kind implements. */
  point: ExtensionPoint;
  /** The kind name configs use (`jsonl`, `train-grm`, ...). */
  kind: string;
  /** One line for `gramr plugins` and the config reference. */
  description: string;
  /** zod schema of the kind's options (without the discriminator key); should be `.strict()`. */
  schema: z.ZodType;
  /** The plugin that contributed it (set by `contributeKind`). */
  plugin: string;
  /**
   * Builds a fresh instance from options already validated by `schema` (used where a config gives a kind
   * options, e.g. `backend.options.onnx`); without it the container's instance (built with defaults) is used.
   */
  create?: (options: unknown) => unknown;
  /**
   * Stage kinds: top-level option keys that say how the stage executes, not what it computes (a queue's Redis URL,
   * polling, timeouts, the executor). They stay out of the stage's config hash, so changing them resumes a stage.
   */
  executionKeys?: string[];
}

/** Arguments of `contributeKind`. `impl` is a class (constructed by the container) or a factory. */
export interface KindDefinition<T> {
  point: ExtensionPoint;
  kind: string;
  description: string;
  schema: z.ZodType;
  impl: (new (...args: any[]) => T) | (() => T);
  /** Optional: build an instance from validated options (see KindContribution.create). */
  create?: (options: unknown) => T;
  /** Optional: execution-only option keys (see KindContribution.executionKeys). */
  executionKeys?: string[];
}

function isClass(fn: unknown): fn is new (...args: any[]) => unknown {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/**
 * Bind one kind inside a ContainerModule: the implementation as a singleton named by kind, and its contribution.
 * Call only from a module's load callback (modules bind; they never resolve).
 */
export function contributeKind<T>(options: ContainerModuleLoadOptions, plugin: string, def: KindDefinition<T>): void {
  const id = ServiceIds[def.point];
  const to = options.bind<T>(id);
  const impl = def.impl;
  const bound = isClass(impl) ? to.to(impl as new (...args: any[]) => T) : to.toDynamicValue(() => (impl as () => T)());
  bound.inSingletonScope().whenNamed(def.kind);
  const contribution: KindContribution = {
    point: def.point, kind: def.kind, description: def.description, schema: def.schema, plugin,
    ...(def.create ? { create: def.create } : {}),
    ...(def.executionKeys ? { executionKeys: def.executionKeys } : {}),
  };
  options.bind<KindContribution>(KindContributionId).toConstantValue(contribution);
}
