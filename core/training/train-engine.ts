// TrainEngine: the device side of training. Trainable parameters and optimizer state live in backend buffers that
// each step replaces; frozen parameters (a LoRA base) are uploaded once and fed as inputs without gradients. One
// program per batch shape (bucket) is compiled on first use and reused: forward + backward + clipping + AdamW as one
// graph, or with gradient accumulation a gradient program per shape plus shared accumulate and update programs.
// A step whose loss, gradient norm or updated weights are not finite is not applied.
import { backprop, grad } from '../tensor/autodiff.js';
import type { CompiledGraph, ComputeBackend, DeviceBuffer, Feeds } from '../tensor/backend.js';
import type { DType, HostData } from '../tensor/dtype.js';
import { clipByGlobalNorm, globalNorm } from '../tensor/optim/clip.js';
import type { NamedTensors, Optimizer, OptimizerState } from '../tensor/optim/optimizer.js';
import type { LrSchedule } from '../tensor/optim/schedule.js';
import { concat, full, input } from '../tensor/primitives.js';
import type { Tensor } from '../tensor/tensor.js';
import { meanLoss, type LossParts } from './losses.js';

/** Host values of one parameter. */
export interface EngineParam {
  /** Dimensions. */
  shape: number[];
  /** Row-major values. */
  data: Float32Array;
}

/** Shapes and dtypes of one micro-batch's inputs by name. */
export type BatchSpec = Record<string, { shape: number[]; dtype: DType }>;

/** One micro-batch: the program key of its shape, the shape spec and the host data. */
export interface MicroBatchData {
  /** Identifies the shape (e.g. `8x64`); programs are cached by it. */
  key: string;
  /** Input shapes and dtypes. */
  spec: BatchSpec;
  /** Host data by input name. */
  data: Readonly<Record<string, HostData>>;
}

/** TrainEngine settings. */
export interface TrainEngineOptions {
  /** Initialized backend. */
  backend: ComputeBackend;
  /** Parameters that get gradients and optimizer updates. */
  trainable: Record<string, EngineParam>;
  /** Parameters fed as inputs only (uploaded once, never changed). */
  frozen: Record<string, EngineParam>;
  /** Update rule compiled into the step. */
  optimizer: Optimizer;
  /** Learning rate of the 0-based update index. */
  lr: LrSchedule;
  /** Global-norm clipping (none when undefined or 0). */
  clipNorm?: number;
  /** Micro-batches per update (default 1). */
  accumulationSteps?: number;
  /**
   * Builds the loss of one micro-batch from all parameters (by name), the batch inputs and, for training programs,
   * a scalar `noise` input fed each step (for dropout masks); `noise` is undefined in evaluation programs.
   */
  loss(params: NamedTensors, batch: NamedTensors, noise: Tensor | undefined): LossParts;
  /** A batch spec to probe which trainable parameters the loss reaches (the others become frozen). */
  probe: BatchSpec;
}

/** What one engine step did. */
export interface EngineStep {
  /** Mean loss over the micro-batches. */
  loss: number;
  /** Global gradient norm before clipping (NaN when not computed). */
  gradNorm: number;
  /** Learning rate used. */
  lr: number;
  /** False when the loss, gradient norm or new weights were not finite; the update was then not applied. */
  finite: boolean;
}

/** Sums of an evaluation batch. */
export interface EvalSums {
  /** Sum of losses. */
  sum: number;
  /** Items counted. */
  count: number;
  /** Items ranked right (0 when the loss has no notion of it). */
  correct: number;
}

// Program input names: trained parameter, frozen parameter, optimizer state slot, batch input, and the two
// gradient operands of the accumulation and update programs.
const paramInput = (n: string): string => `p:${n}`;
const frozenInput = (n: string): string => `f:${n}`;
const stateInput = (n: string, slot: string): string => `s:${n}:${slot}`;
const batchInput = (k: string): string => `b:${k}`;
const accInput = (n: string): string => `acc:${n}`;
const gradInput = (n: string): string => `g:${n}`;

/** A step program's results before they are applied: mean loss, then [check, ...new params, ...new state]. */
interface StepOutputs { loss: number; outs: DeviceBuffer[] }

/** Device-resident training state with per-shape compiled step programs. */
export class TrainEngine {
  /** Updates applied so far (drives the schedule and AdamW bias correction). */
  updates = 0;
  /** Programs compiled and runs made (tests check that steps reuse programs). */
  readonly stats = { compiles: 0, runs: 0 };
  /** Names of the trained parameters (sorted). */
  readonly trainableNames: string[];
  /** Names of the frozen parameters (sorted), including trainable ones the loss never reaches. */
  readonly frozenNames: string[];
  private params: Record<string, DeviceBuffer> = {};
  private state: Record<string, DeviceBuffer> = {};
  private readonly frozen: Record<string, DeviceBuffer> = {};
  private readonly shapes: Record<string, number[]> = {};
  private readonly stateKeys: [string, string][];
  private readonly accum: number;
  private readonly programs = new Map<string, CompiledGraph>();

  constructor(private readonly o: TrainEngineOptions) {
    this.accum = o.accumulationSteps ?? 1;
    if (!Number.isInteger(this.accum) || this.accum < 1) throw new RangeError(`TrainEngine: accumulationSteps must be a positive integer (got ${this.accum})`);
    for (const [n, p] of [...Object.entries(o.trainable), ...Object.entries(o.frozen)]) this.shapes[n] = p.shape;
    const reached = this.reachedParams();
    this.trainableNames = Object.keys(o.trainable).filter((n) => reached.has(n)).sort();
    if (this.trainableNames.length === 0) throw new Error(`TrainEngine: the loss depends on none of the trainable parameters (${Object.keys(o.trainable).slice(0, 5).join(', ')}...)`);
    this.frozenNames = [...Object.keys(o.frozen), ...Object.keys(o.trainable).filter((n) => !reached.has(n))].sort();
    this.stateKeys = this.trainableNames.flatMap((n) => o.optimizer.slots.map((s) => [n, s] as [string, string]));
    const be = o.backend;
    try {
      for (const n of this.frozenNames) this.frozen[n] = this.upload(o.frozen[n] ?? o.trainable[n]!);
      for (const n of this.trainableNames) this.params[n] = this.upload(o.trainable[n]!);
      for (const [n, s] of this.stateKeys) this.state[stateInput(n, s)] = be.allocate(this.shapes[n]!, 'f32');
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  private upload(p: EngineParam): DeviceBuffer {
    const b = this.o.backend.allocate(p.shape, 'f32');
    this.o.backend.upload(b, p.data);
    return b;
  }

  private reachedParams(): Set<string> {
    const names = Object.keys(this.o.trainable);
    const all: NamedTensors = {};
    for (const [n, shape] of Object.entries(this.shapes)) all[n] = input(n, shape, 'f32');
    const loss = meanLoss(this.o.loss(all, this.batchTensors(this.o.probe), input('noise', [], 'f32')));
    const gs = backprop([loss], [full([], 1)], names.map((n) => all[n]!));
    return new Set(names.filter((_, i) => gs[i] !== undefined));
  }

  private paramTensors(): NamedTensors {
    const t: NamedTensors = {};
    for (const n of this.trainableNames) t[n] = input(paramInput(n), this.shapes[n]!, 'f32');
    for (const n of this.frozenNames) t[n] = input(frozenInput(n), this.shapes[n]!, 'f32');
    return t;
  }

  private batchTensors(spec: BatchSpec): NamedTensors {
    const t: NamedTensors = {};
    for (const [k, s] of Object.entries(spec)) t[k] = input(batchInput(k), s.shape, s.dtype);
    return t;
  }

  private program(key: string, build: () => Tensor[]): CompiledGraph {
    let g = this.programs.get(key);
    if (!g) {
      g = this.o.backend.compile(build());
      this.programs.set(key, g);
      this.stats.compiles++;
    }
    return g;
  }

  // [check (f32 [2]: grad norm, sum of new weights), ...new params, ...new state]
  private update(pT: NamedTensors, grads: Tensor[]): Tensor[] {
    const norm = globalNorm(grads);
    const used = this.o.clipNorm ? clipByGlobalNorm(grads, this.o.clipNorm, norm).grads : grads;
    const gT: NamedTensors = {}, sT: OptimizerState = {}, trained: NamedTensors = {};
    this.trainableNames.forEach((n, i) => { gT[n] = used[i]!; sT[n] = {}; trained[n] = pT[n]!; });
    for (const [n, s] of this.stateKeys) sT[n]![s] = input(stateInput(n, s), this.shapes[n]!, 'f32');
    const out = this.o.optimizer.step(trained, gT, sT, { lr: input('lr', [], 'f32'), step: input('step', [], 'f32') });
    const newP = this.trainableNames.map((n) => out.params[n]!);
    let weightSum: Tensor | undefined;
    for (const p of newP) weightSum = weightSum ? weightSum.add(p.sum()) : p.sum();
    const check = concat([norm.reshape([1]), weightSum!.reshape([1])], 0);
    return [check, ...newP, ...this.stateKeys.map(([n, s]) => out.state[n]![s]!)];
  }

  private stepProgram(mb: MicroBatchData): CompiledGraph {
    return this.program(`step:${mb.key}`, () => {
      const pT = this.paramTensors();
      const loss = meanLoss(this.o.loss(pT, this.batchTensors(mb.spec), input('noise', [], 'f32')));
      const grads = grad(loss, this.trainableNames.map((n) => pT[n]!));
      return [loss, ...this.update(pT, grads)];
    });
  }

  private gradProgram(mb: MicroBatchData): CompiledGraph {
    return this.program(`grad:${mb.key}`, () => {
      const pT = this.paramTensors();
      const loss = meanLoss(this.o.loss(pT, this.batchTensors(mb.spec), input('noise', [], 'f32')));
      return [loss, ...grad(loss, this.trainableNames.map((n) => pT[n]!))];
    });
  }

  private accProgram(): CompiledGraph {
    return this.program('acc', () => this.trainableNames.map((n) => input(accInput(n), this.shapes[n]!, 'f32').add(input(gradInput(n), this.shapes[n]!, 'f32'))));
  }

  private updateProgram(): CompiledGraph {
    return this.program('update', () => {
      const scale = input('gradScale', [], 'f32');
      return this.update(this.paramTensors(), this.trainableNames.map((n) => input(gradInput(n), this.shapes[n]!, 'f32').mul(scale)));
    });
  }

  private async run(graph: CompiledGraph, feeds: Record<string, DeviceBuffer>): Promise<DeviceBuffer[]> {
    const picked: Record<string, DeviceBuffer> = {};
    for (const i of graph.program.inputs) {
      const b = feeds[i.name];
      if (b === undefined) throw new Error(`TrainEngine: no feed for program input '${i.name}'`);
      picked[i.name] = b;
    }
    this.stats.runs++;
    return this.o.backend.run(graph, picked);
  }

  private async values(b: DeviceBuffer): Promise<number[]> {
    try { return [...(await this.o.backend.download(b))]; } finally { this.o.backend.free(b); }
  }

  private commonFeeds(temps: DeviceBuffer[], hyper: Record<string, number>): Record<string, DeviceBuffer> {
    const f: Record<string, DeviceBuffer> = {};
    for (const n of this.trainableNames) f[paramInput(n)] = this.params[n]!;
    for (const n of this.frozenNames) f[frozenInput(n)] = this.frozen[n]!;
    for (const [k, b] of Object.entries(this.state)) f[k] = b;
    for (const [k, v] of Object.entries(hyper)) {
      const b = this.o.backend.allocate([], 'f32');
      temps.push(b);
      this.o.backend.upload(b, [v]);
      f[k] = b;
    }
    return f;
  }

  private batchFeeds(mb: MicroBatchData, temps: DeviceBuffer[]): Record<string, DeviceBuffer> {
    const f: Record<string, DeviceBuffer> = {};
    for (const [k, s] of Object.entries(mb.spec)) {
      const d = mb.data[k];
      if (d === undefined) throw new Error(`TrainEngine: micro-batch ${mb.key} is missing input '${k}' (expected: ${Object.keys(mb.spec).join(', ')})`);
      const b = this.o.backend.allocate(s.shape, s.dtype);
      temps.push(b);
      this.o.backend.upload(b, d);
      f[batchInput(k)] = b;
    }
    return f;
  }

  /** One optimizer update from `accumulationSteps` micro-batches; `noise` seeds this step's dropout masks. */
  async step(micro: readonly MicroBatchData[], noise = 0): Promise<EngineStep> {
    if (micro.length !== this.accum) throw new Error(`TrainEngine: expected ${this.accum} micro-batch(es), got ${micro.length}`);
    const lr = this.o.lr(this.updates);
    const temps: DeviceBuffer[] = [];
    let outs: DeviceBuffer[] = [];
    try {
      const common = this.commonFeeds(temps, { lr, step: this.updates + 1, noise });
      const result = this.accum === 1 ? await this.wholeStep(micro[0]!, common, temps) : await this.accumulatedStep(micro, common, temps);
      outs = result.outs;
      const { loss } = result;
      const [gradNorm, weightSum] = await this.values(outs.shift()!) as [number, number];
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm) || !Number.isFinite(weightSum)) return { loss, gradNorm, lr, finite: false };
      outs = this.replaceWeights(outs);
      this.updates++;
      return { loss, gradNorm, lr, finite: true };
    } finally {
      this.freeAll([...outs, ...temps]);
    }
  }

  // Forward, backward and update of one micro-batch as one program.
  private async wholeStep(mb: MicroBatchData, common: Feeds, temps: DeviceBuffer[]): Promise<StepOutputs> {
    const outs = await this.run(this.stepProgram(mb), { ...common, ...this.batchFeeds(mb, temps) });
    try {
      return { loss: (await this.values(outs.shift()!))[0]!, outs };
    } catch (e) {
      this.freeAll(outs);
      throw e;
    }
  }

  // Gradients summed over the micro-batches, then one update program scaling them by 1 / micro-batches.
  private async accumulatedStep(micro: readonly MicroBatchData[], common: Feeds, temps: DeviceBuffer[]): Promise<StepOutputs> {
    const { loss, grads } = await this.accumulateGradients(micro, common, temps);
    try {
      const scale = this.commonFeeds(temps, { gradScale: 1 / micro.length });
      const feeds: Record<string, DeviceBuffer> = { ...common, gradScale: scale.gradScale! };
      this.trainableNames.forEach((n, i) => { feeds[gradInput(n)] = grads[i]!; });
      return { loss, outs: await this.run(this.updateProgram(), feeds) };
    } finally {
      this.freeAll(grads);
    }
  }

  // Mean loss and summed gradients (caller-owned) of the micro-batches, each accumulated by the `acc` program.
  private async accumulateGradients(micro: readonly MicroBatchData[], common: Feeds, temps: DeviceBuffer[]): Promise<{ loss: number; grads: DeviceBuffer[] }> {
    let loss = 0;
    let acc: DeviceBuffer[] | undefined;
    try {
      for (const mb of micro) {
        const r = await this.run(this.gradProgram(mb), { ...common, ...this.batchFeeds(mb, temps) });
        try {
          loss += (await this.values(r.shift()!))[0]! / micro.length;
        } catch (e) {
          this.freeAll(r);
          throw e;
        }
        if (!acc) { acc = r; continue; }
        const feeds: Record<string, DeviceBuffer> = {};
        this.trainableNames.forEach((n, i) => { feeds[accInput(n)] = acc![i]!; feeds[gradInput(n)] = r[i]!; });
        const prev = acc;
        acc = undefined;
        try { acc = await this.run(this.accProgram(), feeds); } finally { this.freeAll([...prev, ...r]); }
      }
      return { loss, grads: acc! };
    } catch (e) {
      if (acc) this.freeAll(acc);
      throw e;
    }
  }

  // Makes a step's new parameters and optimizer state current; returns the buffers they replace (to free).
  private replaceWeights(outs: readonly DeviceBuffer[]): DeviceBuffer[] {
    const old = [...Object.values(this.params), ...Object.values(this.state)];
    this.trainableNames.forEach((n, i) => { this.params[n] = outs[i]!; });
    this.stateKeys.forEach(([n, s], i) => { this.state[stateInput(n, s)] = outs[this.trainableNames.length + i]!; });
    return old;
  }

  private freeAll(buffers: readonly DeviceBuffer[]): void {
    for (const b of buffers) this.o.backend.free(b);
  }

  /** Loss sums of one micro-batch with the current weights (no dropout, no update). */
  async evaluate(mb: MicroBatchData): Promise<EvalSums> {
    const graph = this.program(`eval:${mb.key}`, () => {
      const parts = this.o.loss(this.paramTensors(), this.batchTensors(mb.spec), undefined);
      return [concat([parts.sum.reshape([1]), parts.count.reshape([1]), (parts.correct ?? full([], 0)).reshape([1])], 0)];
    });
    const temps: DeviceBuffer[] = [];
    try {
      const [out] = await this.run(graph, { ...this.commonFeeds(temps, {}), ...this.batchFeeds(mb, temps) });
      const [sum, count, correct] = await this.values(out!) as [number, number, number];
      return { sum, count, correct };
    } finally {
      for (const b of temps) this.o.backend.free(b);
    }
  }

  private async read(bufs: Record<string, DeviceBuffer>, names: readonly string[], key: (n: string) => string): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const n of names) out[n] = Float32Array.from(await this.o.backend.download(bufs[key(n)]!));
    return out;
  }

  /** Current values of the trained parameters (copies). */
  readTrainable(): Promise<Record<string, Float32Array>> {
    return this.read(this.params, this.trainableNames, (n) => n);
  }

  /** Current values of the frozen parameters (copies; they never change). */
  readFrozen(): Promise<Record<string, Float32Array>> {
    return this.read(this.frozen, this.frozenNames, (n) => n);
  }

  /** Optimizer state by `name:slot` (copies). */
  async readState(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const [n, s] of this.stateKeys) out[`${n}:${s}`] = Float32Array.from(await this.o.backend.download(this.state[stateInput(n, s)]!));
    return out;
  }

  /** Replaces the trained parameters, optimizer state (`name:slot`) and update count (resume). */
  load(trainable: Readonly<Record<string, Float32Array>>, state: Readonly<Record<string, Float32Array>>, updates: number): void {
    const need = (src: Readonly<Record<string, Float32Array>>, key: string, shape: number[], what: string): Float32Array => {
      const d = src[key];
      const n = shape.reduce((a, b) => a * b, 1);
      if (d === undefined || d.length !== n) throw new Error(`TrainEngine.load: ${what} '${key}' ${d === undefined ? 'is missing' : `has ${d.length} values`}; expected [${shape.join(', ')}]`);
      return d;
    };
    const data = this.trainableNames.map((n) => need(trainable, n, this.shapes[n]!, 'parameter'));
    const st = this.stateKeys.map(([n, s]) => need(state, `${n}:${s}`, this.shapes[n]!, 'optimizer state'));
    this.trainableNames.forEach((n, i) => this.o.backend.upload(this.params[n]!, data[i]!));
    this.stateKeys.forEach(([n, s], i) => this.o.backend.upload(this.state[stateInput(n, s)]!, st[i]!));
    this.updates = updates;
  }

  /** Frees every buffer; the engine is unusable afterwards. */
  dispose(): void {
    for (const b of [...Object.values(this.params), ...Object.values(this.state), ...Object.values(this.frozen)]) this.o.backend.free(b);
    this.params = {};
    this.state = {};
    for (const k of Object.keys(this.frozen)) delete this.frozen[k];
    this.programs.clear();
  }
}
