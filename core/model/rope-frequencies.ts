// RoPE inverse frequencies of a ModelConfig: theta^(-2i/d), then the config's scaling (Llama 3.1 'llama3'
// smoothing between wavelength bands, or 'linear' position interpolation), computed in float64 on the host and
// handed to the rope composite as an operand.
import type { ModelConfig } from './checkpoint/model-config.js';

/** The `[headDim / 2]` inverse frequencies the decoder passes to `ops.rope`. */
export function ropeFrequencies(config: Pick<ModelConfig, 'headDim' | 'ropeTheta' | 'ropeScaling'>): number[] {
  const d = config.headDim;
  const base = Array.from({ length: d / 2 }, (_, i) => Math.pow(config.ropeTheta, (-2 * i) / d));
  const s = config.ropeScaling;
  if (s === undefined) return base;
  if (s.type === 'linear') return base.map((f) => f / s.factor);
  // Llama 3.1: long wavelengths are divided by `factor`, short ones kept, the band between blended smoothly.
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return base.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (f / s.factor) + smooth * f;
  });
}
