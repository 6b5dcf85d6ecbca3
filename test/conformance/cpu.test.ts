// Runs the shared conformance suite on the CPU backend twice: with its fused composite kernels (the default)
// and with every composite expanded into primitives (checks the decompositions themselves).
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { runConformance } from './run-conformance.js';

// The CPU backend is the reference: nothing is skipped.
runConformance(test, ({ precision }) => new CpuBackend({ precision }), {}, { label: 'cpu' });
runConformance(test, ({ precision }) => new CpuBackend({ precision, fused: false }), {}, { label: 'cpu-unfused' });
