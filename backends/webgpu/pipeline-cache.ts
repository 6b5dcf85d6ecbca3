// Compiled compute pipelines of the WebGPU backend, cached by WGSL source (kernels bake shapes into their source, so
// one program compiles each kernel once and every later run finds it here). A shader that fails validation, or
// compiles with a warning, is an error naming the kernel, the line and the offending source text.

/** A compiled kernel. */
export interface CachedPipeline {
  /** The pipeline (layout 'auto'; bind group 0 holds the kernel's buffers in binding order). */
  pipeline: GPUComputePipeline;
  /** Its bind group layout 0. */
  layout: GPUBindGroupLayout;
}

/** Pipelines by source text. */
export class PipelineCache {
  private readonly pipelines = new Map<string, CachedPipeline>();
  private readonly pending = new Map<string, Promise<CachedPipeline>>();
  /** Shader modules compiled so far (for tests and stats). */
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  /** The pipeline for `code` if it is compiled already. */
  get(code: string): CachedPipeline | undefined {
    return this.pipelines.get(code);
  }

  /** Compiles `code` (entry point `main`) once; `kernel` names it in errors. */
  ensure(kernel: string, code: string): Promise<CachedPipeline> {
    const hit = this.pipelines.get(code);
    if (hit) return Promise.resolve(hit);
    let p = this.pending.get(code);
    if (!p) {
      p = this.compile(kernel, code).finally(() => this.pending.delete(code));
      this.pending.set(code, p);
    }
    return p;
  }

  /** Number of cached pipelines. */
  get size(): number { return this.pipelines.size; }

  private async compile(kernel: string, code: string): Promise<CachedPipeline> {
    const device = this.device;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code, label: kernel });
    const info = await module.getCompilationInfo();
    const problems = info.messages.filter((m) => m.type === 'error' || m.type === 'warning');
    if (problems.length > 0) {
      await device.popErrorScope();
      throw new Error(`webgpu: kernel '${kernel}' WGSL ${problems.some((m) => m.type === 'error') ? 'does not compile' : 'compiles with warnings'}:\n${problems.map((m) => describe(m, code)).join('\n')}`);
    }
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: kernel });
    const err = await device.popErrorScope();
    if (err) throw new Error(`webgpu: kernel '${kernel}' fails validation: ${err.message}\n${numbered(code)}`);
    this.compiled++;
    const cached = { pipeline, layout: pipeline.getBindGroupLayout(0) };
    this.pipelines.set(code, cached);
    return cached;
  }
}

function describe(m: GPUCompilationMessage, code: string): string {
  const line = code.split('\n')[m.lineNum - 1] ?? '';
  return `  ${m.type} at line ${m.lineNum}:${m.linePos}: ${m.message}\n    ${line.trim()}`;
}

function numbered(code: string): string {
  return code.split('\n').map((l, i) => `${String(i + 1).padStart(4)}  ${l}`).join('\n');
}
