// One-shot evaluation: compile, upload host feeds, run, download every output, free everything.
// Convenient for tests, tools and the conformance suite; training loops keep buffers instead (train-step.ts).
import type { ComputeBackend, DeviceBuffer } from './backend.js';
import type { HostArray, HostData } from './dtype.js';
import type { Tensor } from './tensor.js';

/** Computes `outputs` on `backend` with host data fed by input name; returns host arrays in output order. */
export async function evaluate(backend: ComputeBackend, outputs: readonly Tensor[], feeds: Readonly<Record<string, HostData>> = {}): Promise<HostArray[]> {
  const graph = backend.compile(outputs);
  const bufs: Record<string, DeviceBuffer> = {};
  try {
    for (const inp of graph.program.inputs) {
      const data = feeds[inp.name];
      if (data === undefined) throw new Error(`evaluate: no data for input '${inp.name}' (${inp.dtype} [${inp.shape.join(',')}])`);
      const b = backend.allocate(inp.shape, inp.dtype);
      bufs[inp.name] = b;
      backend.upload(b, data);
    }
    const outs = await backend.run(graph, bufs);
    try {
      return await Promise.all(outs.map((o) => backend.download(o)));
    } finally {
      for (const o of outs) backend.free(o);
    }
  } finally {
    for (const b of Object.values(bufs)) backend.free(b);
  }
}
