// Validation of the artifact flow of a pipeline: artifact names are one path segment of a small character set (so
// no output can leave the run folder), every input is a dataset, a model or an output of an earlier stage, and no
// artifact is written twice. Messages name the stage's config path and the option key holding the name.
import { formatPath } from './config-errors.js';
import type { OutputDecl } from './stage.js';

/** Artifact names and stage ids: one path segment, starting with a letter or digit. */
export const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The rule in words, for messages and docs. */
export const ARTIFACT_NAME_RULE = 'one path segment of letters, digits, ".", "_" and "-", starting with a letter or digit';

/** One stage as the flow check sees it. */
export interface FlowStage {
  /** Position in `stages`. */
  index: number;
  /** Stage id. */
  id: string;
  /** The stage as written in the file (to find which option names an artifact). */
  raw: unknown;
  /** Artifacts it reads. */
  inputs: string[];
  /** Artifacts it writes. */
  outputs: OutputDecl[];
}

const OUTPUT_KEYS = new Set(['to', 'out', 'output', 'outputs']);

/**
 * Where, in a stage's options, the value `name` is written, e.g. `['inputs', 1]`. When it appears more than once
 * (`from: x` and `to: x`), an output is looked for under `to`/`out`/`output(s)` and an input elsewhere.
 */
export function optionKeyOf(raw: unknown, name: string, role: 'input' | 'output' = 'input'): Array<string | number> {
  const found: Array<Array<string | number>> = [];
  const search = (v: unknown, at: Array<string | number>): void => {
    if (v === name) found.push(at);
    else if (Array.isArray(v)) v.forEach((x, i) => search(x, [...at, i]));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) if (at.length > 0 || (k !== 'stage' && k !== 'id')) search(x, [...at, k]);
    }
  };
  search(raw, []);
  const isOut = (p: Array<string | number>): boolean => OUTPUT_KEYS.has(String(p[0]));
  return found.find((p) => isOut(p) === (role === 'output')) ?? found[0] ?? [];
}

/**
 * Check names and flow. `provided` maps dataset and model names to what they are (`dataset`, `model`); `at(path)`
 * formats `file:line: path` for a config path. Returns the messages (empty when all is well).
 */
export function checkArtifactFlow(stages: FlowStage[], provided: Map<string, string>,
  at: (p: Array<string | number>) => string): string[] {
  const errors: string[] = [];
  const writer = new Map<string, string>(provided);
  for (const s of stages) {
    const where = (name: string, role: 'input' | 'output' = 'input'): string => at(['stages', s.index, ...optionKeyOf(s.raw, name, role)]);
    for (const input of s.inputs) {
      if (!ARTIFACT_NAME.test(input)) errors.push(`${where(input)}: artifact name "${input}" is not valid: use ${ARTIFACT_NAME_RULE}`);
      else if (!writer.has(input)) {
        errors.push(`${where(input)}: stage "${s.id}" reads "${input}", which is not a dataset, a model, or an output of an earlier stage; known: ${[...writer.keys()].join(', ') || '(none)'}`);
      }
    }
    for (const o of s.outputs) {
      if (!ARTIFACT_NAME.test(o.name)) {
        errors.push(`${where(o.name, 'output')}: artifact name "${o.name}" is not valid: use ${ARTIFACT_NAME_RULE}`);
        continue;
      }
      const before = writer.get(o.name);
      if (before) errors.push(`${where(o.name, 'output')}: stage "${s.id}" writes "${o.name}", which ${before} already provides; every artifact has one writer`);
      writer.set(o.name, `stage "${s.id}" (${formatPath(['stages', s.index, ...optionKeyOf(s.raw, o.name, 'output')])})`);
    }
  }
  return errors;
}
