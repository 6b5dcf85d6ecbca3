// `--set a.b=c` overrides: parse the value as YAML (so numbers and booleans keep their type) and write it at
// a dotted path (`stages[2].threshold`, `stages.2.threshold` and `backend.prefer` all work). Keys that reach
// JavaScript's object machinery (`__proto__`, `constructor`, `prototype`) are refused.
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { MAX_ALIAS_COUNT } from './source-to-js.js';

/** Keys no override may name: writing through them would change every object in the process. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Split `a.b[2].c` into ['a', 'b', 2, 'c']. */
export function parseKeyPath(key: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const seg of key.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(seg);
    if (!m || (m[1] === '' && m[2] === '')) throw new ConfigError(`--set: bad key path "${key}"`);
    if (FORBIDDEN_KEYS.has(m[1])) {
      throw new ConfigError(`--set: key path "${key}" names "${m[1]}", which no pipeline setting uses and which is refused ` +
        `(${[...FORBIDDEN_KEYS].join(', ')} would reach JavaScript's object prototypes)`);
    }
    if (m[1] !== '') parts.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  return parts;
}

/** The value of one override as YAML (bad YAML and alias bombs are ConfigErrors). */
function parseValue(set: string, text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: MAX_ALIAS_COUNT, logLevel: 'error' }) as unknown;
  } catch (e) {
    throw new ConfigError(`--set ${set}: the value is not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Split one `key=value` override into its key path and its value. */
export function parseOverride(set: string): { keyPath: Array<string | number>; value: unknown } {
  const eq = set.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set expects key=value, got "${set}"`);
  return { keyPath: parseKeyPath(set.slice(0, eq)), value: parseValue(set, set.slice(eq + 1)) };
}

/** Apply `key=value` overrides to a parsed config object (mutates and returns it). */
export function applyOverrides(config: unknown, sets: string[]): unknown {
  for (const set of sets) {
    const { keyPath, value } = parseOverride(set);
    let cur = config as Record<string | number, unknown>;
    if (!cur || typeof cur !== 'object') throw new ConfigError(`--set ${set}: the pipeline is not an object`);
    keyPath.forEach((k, i) => {
      if (i === keyPath.length - 1) {
        cur[k] = value;
        return;
      }
      let next = Object.hasOwn(cur, k) ? cur[k] : undefined;
      if (next === undefined) {
        next = typeof keyPath[i + 1] === 'number' ? [] : {};
        cur[k] = next;
      }
      if (!next || typeof next !== 'object') {
        throw new ConfigError(`--set ${set}: "${keyPath.slice(0, i + 1).join('.')}" is a ${typeof next}, not an object or list`);
      }
      cur = next as Record<string | number, unknown>;
    });
  }
  return config;
}
