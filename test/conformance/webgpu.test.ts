// Runs the shared conformance suite on the WebGPU backend (on CI machines: Mesa's llvmpipe through OpenGL, so the
// shaders really execute): forward values against the float64 expectations, gradients against the CPU f64
// reference. Once with the fused kernels, once with every composite expanded into primitives.
import test from 'ava';
import { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';
import { webgpuSkipReason } from '../webgpu/webgpu-available.js';
import { runConformance, type SkipList } from './run-conformance.js';

const skip = await webgpuSkipReason();
const SKIPS: SkipList = {};

if (skip) {
  test.skip(`webgpu conformance — skipped: ${skip}`, () => {});
} else {
  runConformance(test, () => new WebGpuBackend(), SKIPS, { label: 'webgpu' });
  runConformance(test, () => new WebGpuBackend({ fused: false }), SKIPS, { label: 'webgpu-unfused' });
}
