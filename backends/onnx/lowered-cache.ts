// Lowered ONNX models by session key, kept so that recompiling a program (a new CompiledGraph of the same program
// and constants) skips lowering. Not needed by live graphs, so bounded: oldest first beyond 256 models or 512 MiB.
import type { LoweredProgram } from './lower-program.js';

const MAX_MODELS = 256;
const MAX_BYTES = 512 * 1024 * 1024;

/** Lowered models by key, oldest dropped beyond the bounds (the newest is always kept). */
export class LoweredCache {
  private readonly models = new Map<string, LoweredProgram>();
  private bytes = 0;

  /** The model under `key`, if kept. */
  get(key: string): LoweredProgram | undefined { return this.models.get(key); }

  /** Keeps `model` under `key` and drops the oldest beyond the bounds. */
  set(key: string, model: LoweredProgram): void {
    this.delete(key);
    this.models.set(key, model);
    this.bytes += model.bytes.length;
    while (this.models.size > 1 && (this.models.size > MAX_MODELS || this.bytes > MAX_BYTES)) {
      this.delete(this.models.keys().next().value!);
    }
  }

  /** Drops the model under `key` when it is `model` (or any model when `model` is not given). */
  delete(key: string, model?: LoweredProgram): void {
    const old = this.models.get(key);
    if (!old || (model && old !== model)) return;
    this.models.delete(key);
    this.bytes -= old.bytes.length;
  }

  /** Drops everything. */
  clear(): void {
    this.models.clear();
    this.bytes = 0;
  }
}
