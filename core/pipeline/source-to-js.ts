// Turns a parsed pipeline document into plain data. YAML aliases are expanded with yaml's alias budget, so an
// alias bomb ("billion laughs": anchors of anchors, each repeated) is refused as a ConfigError naming the file and
// the line of the first alias that repeats other aliases, instead of an unexplained crash.
import { isAlias, isNode, visit, type Node } from 'yaml';
import { ConfigError } from '../errors.js';
import type { SourceMap } from './config-errors.js';

/** How many alias expansions (uses × nested aliases, as the yaml package counts them) a pipeline may make. */
export const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain JavaScript values, each alias a copy of its anchor's value (so changing one use changes no
 * other); throws a ConfigError with file and line when aliases expand too much.
 */
export function sourceToJs(map: SourceMap): unknown {
  try {
    return unshared(map.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  } catch (e) {
    const line = nestingAliasLine(map);
    const where = line === undefined ? map.file : `${map.file}:${line}`;
    if (/alias count/i.test((e as Error).message)) {
      throw new ConfigError(`YAML aliases expand too much (over ${MAX_ALIAS_COUNT} alias expansions; anchors whose content ` +
        'repeats other aliases grow exponentially): write the repeated parts out or use fewer nested aliases', where);
    }
    throw new ConfigError(`cannot read the YAML document: ${(e as Error).message}`, where);
  }
}

/** A deep copy of plain data in which no object or list is reachable twice (yaml's toJS shares aliased ones). */
function unshared(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unshared);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unshared(v)]));
  }
  return value;
}

/** Line of the first alias whose anchored content itself holds aliases (else of the first alias), if any. */
function nestingAliasLine(map: SourceMap): number | undefined {
  const anchored = new Map<string, Node>();
  let first: Node | undefined;
  let nesting: Node | undefined;
  visit(map.doc, (_key, node) => {
    if (!isNode(node)) return undefined;
    if (isAlias(node)) {
      first ??= node;
      const target = anchored.get(node.source);
      if (target !== undefined && holdsAlias(target)) {
        nesting = node;
        return visit.BREAK;
      }
    } else if (node.anchor) {
      anchored.set(node.anchor, node);
    }
    return undefined;
  });
  const at = (nesting ?? first)?.range?.[0];
  return at === undefined ? undefined : map.lines.linePos(at).line;
}

function holdsAlias(node: Node): boolean {
  let found = false;
  visit(node, { Alias: () => { found = true; return visit.BREAK; } });
  return found;
}
