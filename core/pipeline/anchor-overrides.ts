// `--set` overrides of `x-` keys (the top-level blocks that hold YAML anchors, `x-trainer: &trainer {...}`) are
// written into the YAML document before aliases and merge keys resolve, so every `*trainer` and `<<: *trainer` sees
// the new value while a stage that sets the key itself keeps its own (YAML merge semantics). An override that no
// alias carries anywhere would change nothing, so it is a ConfigError naming the key.
import { isAlias, isCollection, isMap, isNode, visit, type Document } from 'yaml';
import { ConfigError } from '../errors.js';
import { formatPath, locate, type SourceMap } from './config-errors.js';
import { parseOverride } from './overrides.js';

/** Apply the overrides of `x-` keys among `sets` to the document; returns the other overrides, in order. */
export function applyAnchorOverrides(map: SourceMap, sets: string[]): string[] {
  const rest: string[] = [];
  let used: Set<string> | undefined;
  for (const set of sets) {
    if (!set.startsWith('x-')) {
      rest.push(set);
      continue;
    }
    used ??= aliasedAnchors(map.doc);
    const { keyPath, value } = parseOverride(set);
    applyToAnchor(map, set.slice(0, set.indexOf('=')), keyPath, value, used);
  }
  return rest;
}

/** Names of the anchors some alias (`*name`, `<<: *name`) refers to. */
function aliasedAnchors(doc: Document): Set<string> {
  const used = new Set<string>();
  visit(doc, { Alias: (_key, node) => { used.add(node.source); } });
  return used;
}

function applyToAnchor(map: SourceMap, key: string, keyPath: Array<string | number>, value: unknown, used: Set<string>): void {
  const doc = map.doc;
  const fail = (why: string): never => { throw new ConfigError(`--set ${key}: ${why}`, locate(map, keyPath, map.file)); };
  if (!isMap(doc.contents)) fail('the pipeline is not a mapping');
  const top = keyPath[0];
  let node: unknown = doc.contents;
  let carried = false;
  for (let i = 0; i < keyPath.length && node !== undefined; i++) {
    const child: unknown = isCollection(node) ? node.get(keyPath[i], true) : undefined;
    const here = formatPath(keyPath.slice(0, i + 1));
    if (i === 0 && child === undefined) {
      fail(`the pipeline has no "${String(top)}" block; \`x-\` keys only hold YAML anchors for stages to reuse, so a new ` +
        'one would change nothing: set the stages\' own fields instead (e.g. stages[N].trainer.lr)');
    }
    if (isAlias(child)) fail(`"${here}" is an alias of &${child.source}; override the block that defines &${child.source} instead`);
    if (isNode(child) && child.anchor !== undefined && used.has(child.anchor)) carried = true;
    if (child !== undefined && i < keyPath.length - 1 && !isCollection(child)) fail(`"${here}" is a single value, not an object or list`);
    node = child;
  }
  if (!carried) {
    fail(`no stage would see it: "${String(top)}" holds no YAML anchor (&name) on this path that an alias (*name or ` +
      '<<: *name) refers to, so the override would change nothing; set the stages\' own fields instead (e.g. stages[N].trainer.lr)');
  }
  const created = doc.createNode(value);
  if (isNode(node) && node.anchor !== undefined) created.anchor = node.anchor;
  doc.setIn(keyPath, created);
}
