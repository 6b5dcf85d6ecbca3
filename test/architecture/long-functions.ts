// Finds long function bodies with the TypeScript compiler's own parser (typescript 7's API, which runs tsgo):
// every function, method, constructor, accessor and arrow whose body spans more than a limit of lines, unless the
// comment right above it (or above the statement or member holding it) has a line starting `Long because:`.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { API } from 'typescript/unstable/sync';
import type { Block, Node, SourceFile } from 'typescript/unstable/ast';
import {
  isBlock, isClassDeclaration, isClassExpression, isConstructorDeclaration, isFunctionLikeDeclaration,
  isGetAccessorDeclaration, isIdentifier, isMethodDeclaration, isPrivateIdentifier, isPropertyAssignment,
  isPropertyDeclaration, isSetAccessorDeclaration, isSourceFile, isStatement, isStringLiteral, isVariableDeclaration,
} from 'typescript/unstable/ast/is';
import { getLeadingCommentRanges } from 'typescript/unstable/ast/scanner';

/** The marker a leading comment needs to excuse a long body. */
export const LONG_MARKER = 'Long because:';

/** One long body found. */
export interface LongFunction {
  /** `path/from/root.ts:Name` (`Class.method`, a function's or variable's name, or `<arrow>@line`). */
  id: string;
  /** Lines of the body, braces included. */
  lines: number;
  /** True when its leading comment gives a reason (`Long because:`). */
  excused: boolean;
}

// The name a reader looks for: Class.method, function or variable name, property key, else the arrow's line.
function nameOf(node: Node, sf: SourceFile): string {
  const named = (n: Node): string | undefined => {
    const name = (n as { name?: Node }).name;
    return name && (isIdentifier(name) || isStringLiteral(name) || isPrivateIdentifier(name)) ? name.text : undefined;
  };
  if (isConstructorDeclaration(node)) return `${named(node.parent) ?? '<class>'}.constructor`;
  if (isMethodDeclaration(node) || isGetAccessorDeclaration(node) || isSetAccessorDeclaration(node)) {
    const owner = (isClassDeclaration(node.parent) || isClassExpression(node.parent)) ? named(node.parent) : undefined;
    return owner ? `${owner}.${named(node) ?? '?'}` : named(node) ?? '?';
  }
  const own = named(node);
  if (own) return own;
  const holder = node.parent;
  if (isVariableDeclaration(holder) || isPropertyAssignment(holder) || isPropertyDeclaration(holder)) {
    const n = named(holder);
    if (n) return n;
  }
  return `<arrow>@${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
}

// Text of the comments right before `node` and before each node that holds it up to its statement or member.
function leadingComments(node: Node, text: string): string {
  const out: string[] = [];
  for (let n: Node | undefined = node; n && !isSourceFile(n); n = n.parent) {
    for (const r of getLeadingCommentRanges(text, n.getFullStart()) ?? []) out.push(text.slice(r.pos, r.end));
    if (isStatement(n) || isPropertyAssignment(n) || isPropertyDeclaration(n) || isMethodDeclaration(n) || isConstructorDeclaration(n)
      || isGetAccessorDeclaration(n) || isSetAccessorDeclaration(n)) break;
  }
  return out.join('\n');
}

/** True when a comment has a line starting with the marker (after `//`, `*` or spaces) and some reason after it. */
export function hasReason(comments: string): boolean {
  return comments.split('\n').some((line) => {
    const body = line.replace(/^\s*(\/\/+|\/\*+|\*)?\s*/, '');
    return body.startsWith(LONG_MARKER) && body.slice(LONG_MARKER.length).trim().length > 0;
  });
}

/** Long bodies of one parsed file (`path` names it in ids). */
export function longFunctionsIn(path: string, sf: SourceFile, maxLines: number): LongFunction[] {
  const out: LongFunction[] = [];
  const line = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: Node): void => {
    const body = isFunctionLikeDeclaration(node) ? (node as { body?: Node }).body : undefined;
    if (body && isBlock(body)) {
      const lines = line((body as Block).end) - line(body.getStart(sf)) + 1;
      if (lines > maxLines) out.push({ id: `${path}:${nameOf(node, sf)}`, lines, excused: hasReason(leadingComments(node, sf.text)) });
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return out;
}

/**
 * Long bodies of every .ts file under `dirs` (relative to `root`); ids use `/` paths relative to `root`. Parses
 * only (a throwaway tsconfig lists the files, resolving no imports or libraries): a few seconds for the tree.
 */
export function longFunctions(root: string, dirs: readonly string[], maxLines: number): LongFunction[] {
  const files = dirs.flatMap((d) => readdirSync(join(root, d), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(root, d, f)));
  const tmp = mkdtempSync(join(tmpdir(), 'gramr-parse-'));
  const api = new API({ cwd: root });
  try {
    const tsconfig = join(tmp, 'tsconfig.json');
    writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { noResolve: true, noLib: true, types: [], noEmit: true }, files }));
    const project = api.updateSnapshot({ openProject: tsconfig }).getProjects()[0];
    if (!project) throw new Error(`the compiler opened no project from ${tsconfig}`);
    return files.flatMap((file) => {
      const sf = project.program.getSourceFile(file);
      if (!sf) throw new Error(`the compiler did not parse ${file}`);
      return longFunctionsIn(relative(root, file).split(sep).join('/'), sf, maxLines);
    }).sort((a, b) => a.id.localeCompare(b.id));
  } finally {
    api.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
