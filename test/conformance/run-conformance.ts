// The one conformance helper: registers an ava test per shared case (forward vs expected, and the gradient
// check) for one backend. Gradient checks use central differences in f64 where the backend offers f64,
// otherwise they compare with the CPU f64 reference's gradients. A skip list says, per case, why it is skipped.
import type { TestFn } from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { evaluate } from '../../core/tensor/evaluate.js';
import { loadConformanceCases, type ConformanceCase } from './cases.js';
import { analyticGrads, caseGraph, compareArrays, numericGrads } from './grad-check.js';

/** Creates an uninitialized backend; `precision: 'f64'` is asked for only when capabilities().f64 is true. */
export type ConformanceBackendFactory = (options: { precision: 'f32' | 'f64' }) => ComputeBackend | Promise<ComputeBackend>;

/** Skipped checks: key = case name (forward and gradient) or `grad:<case name>` (gradient only); value = why. */
export type SkipList = Readonly<Record<string, string>>;

/** Options of `runConformance`. */
export interface ConformanceOptions {
  /** Prefix of test titles (default: the backend's name). */
  label?: string;
}

/** Finite-difference tolerance in f64. */
const FD_TOL = { abs: 1e-6, rel: 1e-5 };

/** Registers the conformance tests of every shared case for the backend made by `factory`. */
export function runConformance(test: TestFn, factory: ConformanceBackendFactory, skipList: SkipList = {}, options: ConformanceOptions = {}): void {
  const cases = loadConformanceCases();
  const names = new Set(cases.map((c) => c.name));
  const badSkips = Object.entries(skipList).filter(([k, why]) => !names.has(k.replace(/^grad:/, '')) || !why?.trim());
  const cache = new Map<string, Promise<ComputeBackend>>();
  const backend = (precision: 'f32' | 'f64'): Promise<ComputeBackend> => {
    let p = cache.get(precision);
    if (!p) {
      p = (async () => { const b = await factory({ precision }); await b.init(); return b; })();
      cache.set(precision, p);
    }
    return p;
  };
  const reference = new CpuBackend({ precision: 'f64', fused: false });
  let label = options.label;
  const title = (s: string): string => `${label ?? 'backend'} ${s}`;
  label ??= 'conformance';

  test(title('skip list names real cases and gives reasons'), (t) => {
    t.deepEqual(badSkips.map(([k]) => k), [], 'skip entries must name an existing case (or grad:<case>) and say why');
  });

  for (const c of cases) {
    const skipAll = skipList[c.name];
    if (skipAll) { test.skip(title(`${c.name} (skipped: ${skipAll})`), () => {}); continue; }
    test(title(`${c.name} forward`), async (t) => {
      const be = await backend('f32');
      const { out } = caseGraph(c);
      t.deepEqual(out.shape, c.expected.shape, `${c.op}: output shape`);
      t.is(out.dtype, c.expected.dtype, `${c.op}: output dtype`);
      const feeds = Object.fromEntries(c.inputs.map((x, i) => [`in${i}`, x.data]));
      const [got] = await evaluate(be, [out], feeds);
      const bad = compareArrays(got!, c.expected.data, c.tolerance.abs, c.tolerance.rel);
      t.is(bad, undefined, `${c.file} ${c.name} (${c.op})`);
    });
    if ('skip' in c.grad) continue;
    const wrt = c.grad.wrt;
    const gradSkip = skipList[`grad:${c.name}`];
    if (gradSkip) { test.skip(title(`${c.name} gradient (skipped: ${gradSkip})`), () => {}); continue; }
    test(title(`${c.name} gradient`), async (t) => {
      const be = await backend('f32');
      if (be.capabilities().f64) {
        const be64 = await backend('f64');
        const [analytic, numeric] = [await analyticGrads(be64, c, wrt), await numericGrads(be64, c, wrt)];
        wrt.forEach((k, i) => {
          t.is(compareArrays(analytic[i]!, numeric[i]!, FD_TOL.abs, FD_TOL.rel), undefined, `${c.name}: d loss / d in${k} (autodiff vs central differences, f64)`);
        });
      } else {
        const [got, want] = [await analyticGrads(be, c, wrt), await analyticGrads(reference, c, wrt)];
        wrt.forEach((k, i) => {
          t.is(compareArrays(got[i]!, want[i]!, c.tolerance.abs * 10, c.tolerance.rel * 10), undefined, `${c.name}: d loss / d in${k} vs CPU f64 reference`);
        });
      }
    });
  }
}

export type { ConformanceCase };
