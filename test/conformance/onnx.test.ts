// Runs the shared conformance suite on the ONNX Runtime backend (CPU provider): forward values against the
// float64 expectations, gradients (f32 on ONNX) against the CPU f64 reference. Once with the fused
// softmax/log_softmax lowerings, once with every composite expanded into primitives.
import test from 'ava';
import { OnnxBackend } from '../../backends/onnx/onnx-backend.js';
import { runConformance } from './run-conformance.js';

// One intra-op thread: each of the ~280 small sessions would otherwise start its own thread pool (most of the
// suite's time); the kernels are the same.
runConformance(test, () => new OnnxBackend({ threads: 1 }), {}, { label: 'onnx' });
runConformance(test, () => new OnnxBackend({ threads: 1, fused: false }), {}, { label: 'onnx-unfused' });
