// Loads the shared conformance cases (test/fixtures/conformance/*.json): op, attributes, operands, expected
// output and tolerance, plus which operands the gradient check differentiates (or why it does not).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DType } from '../../core/tensor/dtype.js';

/** One operand or expected value. */
export interface CaseTensor {
  /** Static shape. */
  shape: number[];
  /** Element type. */
  dtype: DType;
  /** Row-major values. */
  data: number[];
}

/** One conformance case. */
export interface ConformanceCase {
  /** Unique name (skip lists refer to it). */
  name: string;
  /** Primitive or composite op name. */
  op: string;
  /** JSON attributes passed to `applyOp`. */
  attrs: Record<string, unknown>;
  /** Operands, fed as inputs `in0`, `in1`, ... */
  inputs: CaseTensor[];
  /** Expected output (float64 reference). */
  expected: CaseTensor;
  /** Pass when |got - want| <= abs + rel * |want| for every element. */
  tolerance: { abs: number; rel: number };
  /** Operands to gradient-check, or the reason there is no check. */
  grad: { wrt: number[] } | { skip: string };
  /** The file it came from. */
  file: string;
}

/** Folder of the case files (ava runs in the repository root). */
export const CASES_DIR = path.resolve(process.cwd(), 'test/fixtures/conformance');

/** Every case of every `*.json` file in `dir`, names checked unique. */
export function loadConformanceCases(dir: string = CASES_DIR): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const seen = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const parsed = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { cases: Omit<ConformanceCase, 'file'>[] };
    for (const c of parsed.cases) {
      if (seen.has(c.name)) throw new Error(`${file}: duplicate conformance case name '${c.name}'`);
      seen.add(c.name);
      cases.push({ ...c, file });
    }
  }
  return cases;
}
