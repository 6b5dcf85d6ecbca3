// Reading the files behind a data source: resolving paths against the base folder, JSON Lines streamed line by
// line (linear time, with a line cap), JSON arrays (top level or under a key), transparent gzip (detected by
// magic bytes, not by name), and a streamed sha256 of the files for fingerprints.
import { createHash } from 'node:crypto';
export { canonicalJson } from '../../core/pipeline/hash.js';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import { LineTooLongError, maxLineBytes, splitLines } from '../../core/io/line-reader.js';
import { DataFileError, type RecordLocation } from './errors.js';

/** A file or folder a source reads: its absolute path and the name errors show. */
export interface InputPath {
  /** Absolute path. */
  abs: string;
  /** As shown in messages: relative to the base folder when the configured path was relative. */
  display: string;
}

/** One raw record read from a file, before a loader maps it. */
export interface RawItem {
  /** Where it is. */
  loc: RecordLocation;
  /** The parsed JSON value (absent when the line did not parse). */
  value?: unknown;
  /** Why the line is not JSON (JSONL only); the loader turns it into a skippable RecordError. */
  parseError?: string;
  /** Which part of a multi-file set it came from (RM-Bench domain, LLMBar subset, JudgeBench response model). */
  group?: string;
}

/** Resolve a configured path against `baseDir` (relative paths keep a relative display name). */
export function resolveInput(configured: string, baseDir: string): InputPath {
  const abs = path.resolve(baseDir, configured);
  return { abs, display: path.isAbsolute(configured) ? abs : path.normalize(configured) };
}

/** A path below a resolved folder. */
export function childPath(parent: InputPath, ...parts: string[]): InputPath {
  return { abs: path.join(parent.abs, ...parts), display: path.join(parent.display, ...parts) };
}

/** 'file', 'dir', or undefined when nothing is there. */
export async function pathKind(p: InputPath): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(p.abs);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

/** Throw a DataFileError naming the path (and what it resolved to) unless it is a readable file. */
export async function requireFile(p: InputPath, what = 'data file'): Promise<void> {
  const kind = await pathKind(p);
  if (kind === undefined) throw new DataFileError(p.display, `${what} not found (resolved to ${p.abs})`);
  if (kind === 'dir') throw new DataFileError(p.display, `expected a ${what}, found a folder`);
}

/** For sources whose `path` may name the file itself or the folder holding it under a standard name. */
export async function fileOrDefaultInFolder(p: InputPath, defaultName: string, what: string): Promise<InputPath> {
  const kind = await pathKind(p);
  if (kind === undefined) throw new DataFileError(p.display, `${what} not found (resolved to ${p.abs})`);
  const file = kind === 'dir' ? childPath(p, defaultName) : p;
  await requireFile(file, what);
  return file;
}

async function isGzip(abs: string): Promise<boolean> {
  const handle = await open(abs, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** The file's bytes as a stream of chunks, gunzipped when the file is gzip. */
async function* byteChunks(p: InputPath): AsyncGenerator<Buffer> {
  const gz = await isGzip(p.abs);
  const raw = createReadStream(p.abs);
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (e) => stream.destroy(e));
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (e) {
    throw new DataFileError(p.display, `cannot read${gz ? ' (gzip)' : ''}: ${(e as Error).message}`);
  } finally {
    // Reached early when a consumer stops (limit): close both ends so no file handle stays open.
    stream.destroy();
    raw.destroy();
  }
}

/**
 * Stream a JSON Lines file (plain or gzip): one item per non-blank line, numbered from 1. Linear in the file size;
 * a line over the cap (core/io/line-reader.ts, 64 MiB by default) is a DataFileError naming the line.
 */
export async function* readJsonlItems(p: InputPath, group?: string, lineCap = maxLineBytes()): AsyncGenerator<RawItem> {
  await requireFile(p);
  let lineNo = 0;
  let sawContent = false;
  const handle = (text: string): RawItem | undefined => {
    lineNo++;
    let line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') return undefined;
    const loc: RecordLocation = { file: p.display, line: lineNo };
    try {
      const value: unknown = JSON.parse(line);
      sawContent = true;
      return { loc, value, group };
    } catch (e) {
      if (!sawContent && /^\s*[[{]\s*$/.test(line)) {
        throw new DataFileError(p.display, `line ${lineNo} is "${line.trim()}": this looks like a JSON document spread over ` +
          'several lines, not JSON Lines (one record per line); use kind "json" for JSON files');
      }
      sawContent = true;
      return { loc, parseError: `is not valid JSON (${(e as Error).message})`, group };
    }
  };
  try {
    for await (const text of splitLines(byteChunks(p), lineCap)) {
      const item = handle(text);
      if (item !== undefined) yield item;
    }
  } catch (e) {
    if (e instanceof LineTooLongError) throw new DataFileError(p.display, e.message);
    throw e;
  }
}

function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    const shown = keys.slice(0, 8).map((k) => `"${k}"`).join(', ');
    return `an object with keys ${shown}${keys.length > 8 ? ', ...' : ''}`;
  }
  return `a ${typeof value}`;
}

/**
 * Read a JSON file (plain or gzip) holding an array of records, at the top level or under `arrayKey`
 * (a key, or a dotted path like `data.train`). `hint` is appended to the wrong-shape error.
 */
export async function readJsonArrayItems(p: InputPath, arrayKey: string | undefined, hint: string, group?: string): Promise<RawItem[]> {
  await requireFile(p);
  let text = '';
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of byteChunks(p)) text += decoder.decode(chunk, { stream: true });
  text += decoder.decode();
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DataFileError(p.display, `is not valid JSON (${(e as Error).message})`);
  }
  let arr: unknown = doc;
  if (arrayKey !== undefined) {
    for (const key of arrayKey.split('.')) {
      if (arr === null || typeof arr !== 'object' || Array.isArray(arr) || !(key in (arr as object))) {
        throw new DataFileError(p.display, `expected an object with an array under "${arrayKey}", found ${shapeOf(doc)}`);
      }
      arr = (arr as Record<string, unknown>)[key];
    }
  }
  if (!Array.isArray(arr)) {
    const where = arrayKey === undefined ? '' : ` under "${arrayKey}"`;
    throw new DataFileError(p.display, `expected a JSON array of records${where}, found ${shapeOf(arr)}${hint ? `; ${hint}` : ''}`);
  }
  return arr.map((value, index) => ({ loc: { file: p.display, index, arrayKey }, value, group }));
}

/**
 * sha256 over the files' bytes (streamed; each preceded by its name and size so boundaries are unambiguous)
 * followed by `extra` (the kind and options as JSON).
 */
export async function hashFiles(files: Array<{ name: string; path: InputPath }>, extra: string): Promise<string> {
  const hash = createHash('sha256');
  for (const f of files) {
    await requireFile(f.path);
    const size = (await stat(f.path.abs)).size;
    hash.update(`${f.name}\0${size}\0`);
    for await (const chunk of createReadStream(f.path.abs)) hash.update(chunk as Buffer);
  }
  hash.update(extra);
  return hash.digest('hex');
}
