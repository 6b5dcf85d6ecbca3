// Versions recorded in manifests: gramr, Node.js, and the installed versions of key dependencies.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

/** The package root (dist/core/pipeline/ -> three levels up). */
export const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

function versionOf(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

let cached: Record<string, string> | undefined;

/** gramr, node and installed dependency versions. */
export function packageVersions(): Record<string, string> {
  if (cached) return cached;
  const out: Record<string, string> = { gramr: versionOf(packageRoot) ?? 'unknown', node: process.versions.node };
  for (const dep of ['onnxruntime-node', 'webgpu', 'inversify', 'zod', 'yaml']) {
    const v = versionOf(path.join(packageRoot, 'node_modules', dep));
    if (v) out[dep] = v;
  }
  cached = out;
  return out;
}
