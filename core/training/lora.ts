// LoRA: low-rank adapters on the decoder's projection matrices. In our [in, out] layout a targeted weight becomes
// W' = W + (alpha / r)·A·B with A [in, r] (seeded uniform ±1/sqrt(in), as PyTorch's kaiming_uniform(a=√5)) and B
// [r, out] (zeros, so training starts at the base model). The graph feeds the unchanged decoder the effective
// weight W + s·(m ⊙ A)·B (one small [in,r]x[r,out] matmul per module), so the base stays a frozen input; dropout is
// a per-step, per-module mask m over input features drawn in-graph from a fed noise scalar.
import type { ModelConfig } from '../model/checkpoint/model-config.js';
import { decoderParamSpecs, type HostParams } from '../model/decoder-weights.js';
import { cast, iota, type NamedTensors, type Tensor } from '../tensor/index.js';
import { uniformInit } from '../tensor/init.js';
import { Rng } from '../tensor/rng.js';
import { LORA_MODULES, type LoraModule } from './train-options.js';

/** The shape of an adapter. */
export interface LoraSpec {
  /** Rank r. */
  r: number;
  /** Scale numerator: the update is (alpha / r)·A·B. */
  alpha: number;
  /** Targeted module names (q_proj, ..., down_proj). */
  targets: readonly LoraModule[];
  /** Dropout probability on the adapter branch's input features (training only). */
  dropout: number;
}

/** One targeted base weight. */
export interface LoraTarget {
  /** The base weight's canonical name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  weight: string;
  /** Adapter A's name (`<module>.lora_A`, shape [in, r]). */
  a: string;
  /** Adapter B's name (`<module>.lora_B`, shape [r, out]). */
  b: string;
  /** Input features. */
  in: number;
  /** Output features. */
  out: number;
}

/** The module a canonical weight name belongs to (`q_proj`, ...), or undefined. */
export function moduleOf(weightName: string): LoraModule | undefined {
  const m = /\.(\w+_proj)\.weight$/.exec(weightName);
  return m && (LORA_MODULES as readonly string[]).includes(m[1]!) ? (m[1] as LoraModule) : undefined;
}

/** Every base weight the spec targets, in canonical order. */
export function loraTargets(config: ModelConfig, targets: readonly LoraModule[]): LoraTarget[] {
  for (const t of targets) {
    if (!(LORA_MODULES as readonly string[]).includes(t)) throw new RangeError(`LoRA: unknown target module '${t}'; valid: ${LORA_MODULES.join(', ')}`);
  }
  return decoderParamSpecs(config).filter((s) => { const m = moduleOf(s.name); return m !== undefined && targets.includes(m); }).map((s) => {
    const prefix = s.name.slice(0, -'.weight'.length);
    return { weight: s.name, a: `${prefix}.lora_A`, b: `${prefix}.lora_B`, in: s.shape[0]!, out: s.shape[1]! };
  });
}

/** Seeded initial adapters: A uniform in ±1/sqrt(in), B zeros. */
export function initLoraParams(config: ModelConfig, spec: LoraSpec, seed: number): HostParams {
  checkSpec(spec);
  const rng = new Rng(seed).fork(0x10a);
  const out: HostParams = {};
  for (const t of loraTargets(config, spec.targets)) {
    const bound = 1 / Math.sqrt(t.in);
    out[t.a] = { shape: [t.in, spec.r], data: uniformInit(rng, [t.in, spec.r], -bound, bound) };
    out[t.b] = { shape: [spec.r, t.out], data: new Float32Array(spec.r * t.out) };
  }
  return out;
}

function checkSpec(spec: LoraSpec): void {
  if (!Number.isInteger(spec.r) || spec.r < 1) throw new RangeError(`LoRA: r must be a positive integer (got ${spec.r})`);
  if (!(spec.alpha > 0)) throw new RangeError(`LoRA: alpha must be > 0 (got ${spec.alpha})`);
  if (!(spec.dropout >= 0 && spec.dropout < 1)) throw new RangeError(`LoRA: dropout must be in [0, 1) (got ${spec.dropout})`);
  if (spec.targets.length === 0) throw new RangeError('LoRA: no target modules');
}

/**
 * A pseudo-random keep mask `[n, 1]` (1 with probability 1 − p, else 0, divided by 1 − p) from the scalar `noise`
 * and a per-module `stream`, built from graph ops: u = fract(|sin(i·12.9898 + noise·78.233 + stream·37.719)·43758.5453|).
 */
export function dropoutMask(n: number, noise: Tensor, stream: number, p: number): Tensor {
  const x = iota(n, 'f32').mul(12.9898).add(noise.mul(78.233)).add(stream * 37.719);
  const y = x.sin().mul(43758.5453).abs();
  const u = y.sub(cast(cast(y, 'i32'), 'f32'));
  return u.ge(p).mul(1 / (1 - p)).reshape([n, 1]);
}

/**
 * The parameters the decoder sees: `params` (base weights and adapters by name) with every targeted weight replaced
 * by W + (alpha/r)·(m ⊙ A)·B; the mask only when `noise` is given (training) and dropout > 0.
 */
export function loraView(config: ModelConfig, spec: LoraSpec, params: NamedTensors, noise: Tensor | undefined): NamedTensors {
  const scale = spec.alpha / spec.r;
  const out: NamedTensors = { ...params };
  loraTargets(config, spec.targets).forEach((t, k) => {
    const w = params[t.weight], a = params[t.a], b = params[t.b];
    if (w === undefined || a === undefined || b === undefined) throw new Error(`LoRA: '${w === undefined ? t.weight : a === undefined ? t.a : t.b}' is missing from the parameters`);
    const aIn = noise !== undefined && spec.dropout > 0 ? a.mul(dropoutMask(t.in, noise, k, spec.dropout)) : a;
    out[t.weight] = w.add(aIn.matmul(b).mul(scale));
  });
  return out;
}

/** Base parameters (decoder layout) with the adapters merged in: W' = W + (alpha/r)·A·B, summed in float64. */
export function mergeLoraParams(config: ModelConfig, base: HostParams, spec: LoraSpec, adapters: Readonly<Record<string, { data: ArrayLike<number> }>>): HostParams {
  checkSpec(spec);
  const scale = spec.alpha / spec.r, r = spec.r;
  const out: HostParams = { ...base };
  for (const t of loraTargets(config, spec.targets)) {
    const w = base[t.weight], a = adapters[t.a]?.data, b = adapters[t.b]?.data;
    if (w === undefined) throw new Error(`mergeLora: base weight '${t.weight}' is missing`);
    if (a === undefined || a.length !== t.in * r) throw new Error(`mergeLora: adapter '${t.a}' ${a === undefined ? 'is missing' : `has ${a.length} values`}; expected [${t.in}, ${r}]`);
    if (b === undefined || b.length !== r * t.out) throw new Error(`mergeLora: adapter '${t.b}' ${b === undefined ? 'is missing' : `has ${b.length} values`}; expected [${r}, ${t.out}]`);
    const merged = new Float32Array(t.in * t.out);
    for (let i = 0; i < t.in; i++) {
      for (let o = 0; o < t.out; o++) {
        let acc = 0;
        for (let k = 0; k < r; k++) acc += a[i * r + k]! * b[k * t.out + o]!;
        merged[i * t.out + o] = w.data[i * t.out + o]! + scale * acc;
      }
    }
    out[t.weight] = { shape: [...w.shape], data: merged };
  }
  return out;
}
