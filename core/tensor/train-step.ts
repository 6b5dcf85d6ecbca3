// TrainStep: owns parameter and optimizer-state buffers on a backend and runs one training step per call as a
// compiled graph (forward, backward, clipping, optimizer update), swapping buffers afterwards. Checks that the
// loss and gradient norm are finite and applies the NaN policy; supports gradient accumulation.
import { grad } from './autodiff.js';
import type { ComputeBackend, CompiledGraph, DeviceBuffer } from './backend.js';
import type { DType, HostArray, HostData } from './dtype.js';
import { clipByGlobalNorm, globalNorm } from './optim/clip.js';
import type { NamedTensors, Optimizer, OptimizerState } from './optim/optimizer.js';
import type { LrSchedule } from './optim/schedule.js';
import { input } from './primitives.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/** What to do when a step produces a non-finite loss or gradient norm. */
export type NanPolicy = 'stop' | 'skip';

/** TrainStep settings. */
export interface TrainStepOptions {
  /** Backend to run on (initialized). */
  backend: ComputeBackend;
  /** Initial parameter values by name. */
  params: Record<string, { shape: Shape; data: HostData }>;
  /** Shapes and dtypes of one (micro-)batch's inputs by name. */
  batch: Record<string, { shape: Shape; dtype?: DType }>;
  /** Builds the scalar loss from parameter and batch tensors. */
  loss(params: NamedTensors, batch: NamedTensors): Tensor;
  /** The optimizer whose update is compiled into the step. */
  optimizer: Optimizer;
  /** Learning rate: a constant or a schedule of the 0-based update index. */
  lr: number | LrSchedule;
  /** Clip gradients to this global norm (none when undefined). */
  clipNorm?: number;
  /** Micro-batches per update (default 1); gradients are averaged over them. */
  accumulationSteps?: number;
  /** 'stop' (default) throws NonFiniteError naming the step; 'skip' leaves weights untouched and counts it. */
  nanPolicy?: NanPolicy;
}

/** Outcome of one step. */
export interface StepResult {
  /** 1-based index of this step call. */
  step: number;
  /** Mean loss over the micro-batches. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Learning rate used. */
  lr: number;
  /** True when the NaN policy skipped the update. */
  skipped: boolean;
}

/** A non-finite loss or gradient norm under the 'stop' policy. */
export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
  constructor(readonly step: number, readonly loss: number, readonly gradNorm: number) {
    super(`training step ${step}: non-finite ${Number.isFinite(loss) ? 'gradient norm' : 'loss'} (loss ${loss}, grad norm ${gradNorm}); weights were not updated`);
  }
}

/** Host data of one (micro-)batch by input name. */
export type BatchData = Readonly<Record<string, HostData>>;

// Only the feeds a program reads (a parameter the loss ignores, or `step` for SGD, is not an input of every graph).
function pick(graph: CompiledGraph, feeds: Record<string, DeviceBuffer>): Record<string, DeviceBuffer> {
  const out: Record<string, DeviceBuffer> = {};
  for (const i of graph.program.inputs) if (feeds[i.name]) out[i.name] = feeds[i.name]!;
  return out;
}

const P = (n: string): string => `param:${n}`;
const S = (n: string, s: string): string => `state:${n}:${s}`;
const G = (n: string): string => `grad:${n}`;

/** One training step as compiled graphs, with parameter/state buffers kept on the backend. */
export class TrainStep {
  private params: Record<string, DeviceBuffer> = {};
  private state: Record<string, DeviceBuffer> = {};
  private readonly names: string[];
  private readonly stateKeys: [string, string][];
  private readonly accum: number;
  private readonly fusedStep?: CompiledGraph;
  private readonly gradGraph?: CompiledGraph;
  private readonly accGraph?: CompiledGraph;
  private readonly updateGraph?: CompiledGraph;
  private calls = 0;
  /** Updates applied so far (skipped steps excluded); drives the schedule and bias correction. */
  updates = 0;
  /** Steps skipped by the 'skip' policy. */
  skipped = 0;

  constructor(private readonly o: TrainStepOptions) {
    const be = o.backend;
    this.names = Object.keys(o.params).sort();
    this.stateKeys = this.names.flatMap((n) => o.optimizer.slots.map((s) => [n, s] as [string, string]));
    this.accum = o.accumulationSteps ?? 1;
    if (!Number.isInteger(this.accum) || this.accum < 1) throw new Error(`TrainStep: accumulationSteps must be a positive integer (got ${this.accum})`);
    const pT: NamedTensors = {};
    for (const n of this.names) pT[n] = input(P(n), o.params[n]!.shape, 'f32');
    const bT: NamedTensors = {};
    for (const [k, spec] of Object.entries(o.batch)) bT[k] = input(`batch:${k}`, spec.shape, spec.dtype ?? 'f32');
    const loss = o.loss(pT, bT);
    const grads = grad(loss, this.names.map((n) => pT[n]!));
    if (this.accum === 1) {
      this.fusedStep = be.compile([loss, ...this.update(pT, grads)]);
    } else {
      this.gradGraph = be.compile([loss, ...grads]);
      const acc = this.names.map((n) => input(`acc:${n}`, o.params[n]!.shape));
      const gin = this.names.map((n) => input(G(n), o.params[n]!.shape));
      this.accGraph = be.compile(acc.map((a, i) => a.add(gin[i]!)));
      const scaled = gin.map((g) => g.mul(input('gradScale', [])));
      this.updateGraph = be.compile(this.update(pT, scaled));
    }
    for (const n of this.names) {
      const { shape, data } = o.params[n]!;
      this.params[n] = be.allocate(shape, 'f32');
      be.upload(this.params[n]!, data);
    }
    for (const [n, s] of this.stateKeys) this.state[S(n, s)] = be.allocate(o.params[n]!.shape, 'f32');
  }

  // [gradNorm, ...new params (sorted names), ...new state (names x slots)]
  private update(pT: NamedTensors, grads: Tensor[]): Tensor[] {
    const norm = globalNorm(grads);
    const used = this.o.clipNorm === undefined ? grads : clipByGlobalNorm(grads, this.o.clipNorm, norm).grads;
    const gT: NamedTensors = {}, sT: OptimizerState = {};
    this.names.forEach((n, i) => { gT[n] = used[i]!; sT[n] = {}; });
    for (const [n, s] of this.stateKeys) sT[n]![s] = input(S(n, s), this.o.params[n]!.shape);
    const out = this.o.optimizer.step(pT, gT, sT, { lr: input('lr', []), step: input('step', []) });
    return [norm, ...this.names.map((n) => out.params[n]!), ...this.stateKeys.map(([n, s]) => out.state[n]![s]!)];
  }

  /** Runs one step: one batch, or `accumulationSteps` micro-batches. */
  async step(batch: BatchData | readonly BatchData[]): Promise<StepResult> {
    const be = this.o.backend;
    const micro = Array.isArray(batch) ? (batch as BatchData[]) : [batch as BatchData];
    if (micro.length !== this.accum) throw new Error(`TrainStep: expected ${this.accum} micro-batch(es), got ${micro.length}`);
    const stepNo = ++this.calls;
    const lr = typeof this.o.lr === 'number' ? this.o.lr : this.o.lr(this.updates);
    const temps: DeviceBuffer[] = [];
    const scalarBuf = (v: number): DeviceBuffer => { const b = be.allocate([], 'f32'); be.upload(b, [v]); temps.push(b); return b; };
    const hyper = { lr: scalarBuf(lr), step: scalarBuf(this.updates + 1) };
    const common: Record<string, DeviceBuffer> = { ...hyper };
    for (const n of this.names) common[P(n)] = this.params[n]!;
    for (const k of Object.keys(this.state)) common[k] = this.state[k]!;
    let outs: DeviceBuffer[] = [];
    try {
      let loss = 0;
      if (this.fusedStep) {
        outs = await be.run(this.fusedStep, pick(this.fusedStep, { ...common, ...this.batchFeeds(micro[0]!, temps) }));
        loss = await this.scalar(outs.shift()!);
      } else {
        let acc: DeviceBuffer[] | undefined;
        for (const mb of micro) {
          const r = await be.run(this.gradGraph!, pick(this.gradGraph!, { ...this.paramFeeds(), ...this.batchFeeds(mb, temps) }));
          loss += (await this.scalar(r.shift()!)) / micro.length;
          if (!acc) { acc = r; continue; }
          const feeds: Record<string, DeviceBuffer> = {};
          this.names.forEach((n, i) => { feeds[`acc:${n}`] = acc![i]!; feeds[G(n)] = r[i]!; });
          const next = await be.run(this.accGraph!, feeds);
          for (const b of [...acc, ...r]) be.free(b);
          acc = next;
        }
        const feeds: Record<string, DeviceBuffer> = { ...common, gradScale: scalarBuf(1 / micro.length) };
        this.names.forEach((n, i) => { feeds[G(n)] = acc![i]!; });
        try { outs = await be.run(this.updateGraph!, pick(this.updateGraph!, feeds)); } finally { for (const b of acc!) be.free(b); }
      }
      const gradNorm = await this.scalar(outs.shift()!);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        if ((this.o.nanPolicy ?? 'stop') === 'stop') throw new NonFiniteError(stepNo, loss, gradNorm);
        this.skipped++;
        return { step: stepNo, loss, gradNorm, lr, skipped: true };
      }
      // Swap: the new buffers become the parameters and state; the old ones are freed below.
      const old = [...Object.values(this.params), ...Object.values(this.state)];
      this.names.forEach((n, i) => { this.params[n] = outs[i]!; });
      this.stateKeys.forEach(([n, s], i) => { this.state[S(n, s)] = outs[this.names.length + i]!; });
      outs = old;
      this.updates++;
      return { step: stepNo, loss, gradNorm, lr, skipped: false };
    } finally {
      for (const b of [...outs, ...temps]) be.free(b);
    }
  }

  private paramFeeds(): Record<string, DeviceBuffer> {
    const f: Record<string, DeviceBuffer> = {};
    for (const n of this.names) f[P(n)] = this.params[n]!;
    return f;
  }

  private batchFeeds(data: BatchData, temps: DeviceBuffer[]): Record<string, DeviceBuffer> {
    const f: Record<string, DeviceBuffer> = {};
    for (const [k, spec] of Object.entries(this.o.batch)) {
      const d = data[k];
      if (d === undefined) throw new Error(`TrainStep: batch is missing '${k}' (expected: ${Object.keys(this.o.batch).join(', ')})`);
      const b = this.o.backend.allocate(spec.shape, spec.dtype ?? 'f32');
      temps.push(b);
      this.o.backend.upload(b, d);
      f[`batch:${k}`] = b;
    }
    return f;
  }

  private async scalar(b: DeviceBuffer): Promise<number> {
    try { return (await this.o.backend.download(b))[0]!; } finally { this.o.backend.free(b); }
  }

  /** Current parameter values by name (copies). */
  async readParams(): Promise<Record<string, HostArray>> {
    const out: Record<string, HostArray> = {};
    for (const n of this.names) out[n] = await this.o.backend.download(this.params[n]!);
    return out;
  }

  /** Current optimizer state by `name:slot` (copies). */
  async readState(): Promise<Record<string, HostArray>> {
    const out: Record<string, HostArray> = {};
    for (const [n, s] of this.stateKeys) out[`${n}:${s}`] = await this.o.backend.download(this.state[S(n, s)]!);
    return out;
  }

  /** Frees the parameter and state buffers. */
  dispose(): void {
    for (const b of [...Object.values(this.params), ...Object.values(this.state)]) this.o.backend.free(b);
    this.params = {};
    this.state = {};
  }
}
