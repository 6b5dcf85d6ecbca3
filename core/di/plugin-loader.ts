// Loads one plugin by dynamic import: a path (relative to the pipeline file) or an npm package name
// (resolved from the pipeline's folder, then from gramr's own). The module must export one ContainerModule
// as its default export (or as `plugin`).
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContainerModule } from 'inversify';
import { ConfigError } from '../errors.js';

/** Where a plugin comes from. */
export interface PluginRef {
  /** A file URL, an absolute or relative path, or an npm package name. */
  spec: string;
  /** Folder relative paths resolve against (the pipeline file's folder). */
  baseDir?: string;
  /** How errors name it (e.g. `demo.yaml: plugins[0]`). */
  label?: string;
}

function isContainerModule(x: unknown): x is ContainerModule {
  return !!x && typeof x === 'object' && typeof (x as { load?: unknown }).load === 'function' && 'id' in x;
}

function resolveSpec(ref: PluginRef): string {
  const { spec } = ref;
  if (spec.startsWith('file:')) return spec;
  if (spec.startsWith('.') || path.isAbsolute(spec)) return pathToFileURL(path.resolve(ref.baseDir ?? process.cwd(), spec)).href;
  try {
    return pathToFileURL(createRequire(path.join(ref.baseDir ?? process.cwd(), 'noop.js')).resolve(spec)).href;
  } catch {
    return spec; // an ESM-only package or one installed beside gramr: let import() resolve it
  }
}

/** Import the plugin and return its ContainerModule; any failure is a ConfigError naming the plugin. */
export async function loadPluginModule(ref: PluginRef): Promise<ContainerModule> {
  const where = ref.label ?? ref.spec;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(resolveSpec(ref))) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`plugin "${ref.spec}" failed to load: ${(e as Error).message.split('\n')[0]}`, where);
  }
  let candidate = mod.default ?? mod.plugin;
  // A CommonJS plugin imported from ESM arrives as { default: module.exports }.
  if (!isContainerModule(candidate) && candidate && typeof candidate === 'object') {
    const inner = candidate as Record<string, unknown>;
    candidate = inner.default ?? inner.plugin;
  }
  if (!isContainerModule(candidate)) {
    throw new ConfigError(`plugin "${ref.spec}" must export an inversify ContainerModule as its default export (or as "plugin")`, where);
  }
  return candidate;
}
