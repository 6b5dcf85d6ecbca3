// Whether the WebGPU backend can get an adapter here (a GPU, or Mesa's llvmpipe through OpenGL), probed once per
// test process. Without one the WebGPU tests skip and say why — except where GRAMR_REQUIRE_WEBGPU=1 (.ci/run sets
// it): there a missing adapter fails them, so CI can never go green without running the shaders.
import test, { type ExecutionContext } from 'ava';
import { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';

/** Why WebGPU tests must skip here, or undefined when an adapter is available (or required). */
export async function webgpuSkipReason(): Promise<string | undefined> {
  if (process.env.GRAMR_REQUIRE_WEBGPU === '1') return undefined;
  const probe = new WebGpuBackend();
  try {
    await probe.init();
    return undefined;
  } catch (e) {
    return `no WebGPU adapter on this machine (${(e instanceof Error ? e.message : String(e)).split('\n').join(' ')})`;
  } finally {
    probe.dispose();
  }
}

/** Registers a serial test, or a skipped one titled with the reason when `skip` is set. */
export function gatedTest(skip: string | undefined, title: string, fn: (t: ExecutionContext) => Promise<void> | void): void {
  if (skip) test.skip(`${title} — skipped: ${skip}`, () => {});
  else test.serial(title, fn);
}
