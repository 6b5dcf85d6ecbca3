// WebGPU matmul: f32 [..., M, K] x [..., K, N] with numpy-broadcast batch dims, accumulating in f32. Picked by shape:
// M <= 16 (decode): one invocation per 4 columns of every row; N <= 8 or tiny: one invocation per output; otherwise
// tiled (an 8x8 workgroup computes a 64x64 tile, 8x8 per invocation in registers, K staged in workgroup memory 16 at
// a time).
import type { Tensor } from '../../../core/tensor/tensor.js';
import { broadcastOffset } from './elementwise.js';
import { linearGroups, linearIndex, MAX_GROUPS, type WebGpuKernel } from './kernel.js';

const TILE = 64, TK = 16, LANES = 8, PER = TILE / LANES; // 64x64 tile, 8x8 invocations, 8x8 outputs each
const WG = 256, THIN_WG = 64;

/** The product's geometry after folding a shared B into the rows of A. */
interface Geometry { M: number; K: number; N: number; batch: number; aOff: string; bOff: string }

function geometry(node: Tensor): Geometry {
  const [ta, tb] = node.inputs as [Tensor, Tensor];
  const [M, K] = ta.shape.slice(-2) as [number, number];
  const N = tb.shape[tb.rank - 1]!;
  const batchShape = node.shape.slice(0, -2);
  const batch = batchShape.reduce((p, d) => p * d, 1);
  // B shared by every batch element and A not broadcast: one tall [batch*M, K] x [K, N] product.
  if (tb.rank === 2 && ta.size === batch * M * K) return { M: batch * M, K, N, batch: 1, aOff: '0u', bOff: '0u' };
  const off = (x: Tensor, per: number): string => {
    const e = broadcastOffset(x.shape.slice(0, -2), batchShape, 'bz');
    return e === '0u' ? '0u' : `(${e}) * ${per}u`;
  };
  return { M, K, N, batch, aOff: off(ta, M * K), bOff: off(tb, K * N) };
}

const BINDINGS = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;`;

/** One invocation per output element, serial K loop (N <= 8 or tiny products). */
function simpleSource(g: Geometry, groupsX: number): string {
  const { M, K, N } = g;
  return `${BINDINGS}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = ${linearIndex(WG, groupsX)};
  if (i >= ${g.batch * M * N}u) { return; }
  let j = i % ${N}u;
  let r = (i / ${N}u) % ${M}u;
${g.aOff.includes('bz') || g.bOff.includes('bz') ? `  let bz = i / ${M * N}u;\n` : ''}  let a0 = ${g.aOff} + r * ${K}u;
  let b0 = ${g.bOff} + j;
  var s = 0.0;
  for (var k = 0u; k < ${K}u; k++) { s += A[a0 + k] * B[b0 + k * ${N}u]; }
  C[i] = s;
}`;
}

/**
 * Few rows (M <= 16: decode): one invocation per 4 output columns of every row, so each B element is read once; a
 * serial K loop into M vec4 accumulators.
 */
function thinSource(g: Geometry, groupsX: number): string {
  const { M, K, N } = g;
  const NQ = Math.ceil(N / 4);
  const rows = Array.from({ length: M }, (_, r) => r);
  const usesBz = g.aOff.includes('bz') || g.bOff.includes('bz');
  return `${BINDINGS}
@compute @workgroup_size(${THIN_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = ${linearIndex(THIN_WG, groupsX)};
  if (i >= ${g.batch * NQ}u) { return; }
  let j = (i % ${NQ}u) * 4u;
${usesBz ? `  let bz = i / ${NQ}u;\n` : ''}  let a0 = ${g.aOff};
  let b0 = ${g.bOff} + j;
  let c0 = ${usesBz || g.batch > 1 ? `(i / ${NQ}u) * ${M * N}u + j` : 'j'};
  ${rows.map((r) => `var acc${r} = vec4f(0.0);`).join(' ')}
  if (j + 3u < ${N}u) {
    for (var k = 0u; k < ${K}u; k++) {
      let p = b0 + k * ${N}u;
      let b = vec4f(B[p], B[p + 1u], B[p + 2u], B[p + 3u]);
${rows.map((r) => `      acc${r} += A[a0 + ${r * K}u + k] * b;`).join('\n')}
    }
  } else {
    for (var k = 0u; k < ${K}u; k++) {
      var b = vec4f(0.0);
      for (var c = 0u; j + c < ${N}u; c++) { b[c] = B[b0 + k * ${N}u + c]; }
${rows.map((r) => `      acc${r} += A[a0 + ${r * K}u + k] * b;`).join('\n')}
    }
  }
  for (var c = 0u; c < 4u && j + c < ${N}u; c++) {
${rows.map((r) => `    C[c0 + ${r * N}u + c] = acc${r}[c];`).join('\n')}
  }
}`;
}

/**
 * Tiled, register-blocked kernel. Workgroup memory holds a TK-deep slice of A (transposed, 4 rows per vec4) and of
 * B (4 columns per vec4); invocation (lx, ly) accumulates rows ly*8.. and columns lx*8.. of the tile in 16 vec4s.
 * Grid axes loop when a count exceeds 65535 (x: N tiles, y: M tiles, z: batch).
 * Long because: the body is the WGSL shader itself, one template literal that reads as the program the GPU runs.
 */
function tiledSource(g: Geometry, grid: [number, number, number]): string {
  const { M, K, N } = g;
  const T4 = TILE / 4, R4 = PER / 4;
  const inner: string[] = [], stores: string[] = [];
  for (let q = 0; q < R4; q++) inner.push(`            let a${q} = As[kk * ${T4}u + ly * ${R4}u + ${q}u];`);
  for (let v = 0; v < R4; v++) inner.push(`            let b${v} = Bs[kk * ${T4}u + lx * ${R4}u + ${v}u];`);
  for (let r = 0; r < PER; r++) for (let v = 0; v < R4; v++) inner.push(`            acc${r}_${v} += a${r >> 2}[${r & 3}] * b${v};`);
  for (let r = 0; r < PER; r++) {
    const row: string[] = [];
    for (let v = 0; v < R4; v++) {
      const acc = `acc${r}_${v}`;
      row.push(`          { let col = col0 + lx * ${PER}u + ${v * 4}u; let o = c0 + row * ${N}u + col;
            if (col + 3u < ${N}u) { C[o] = ${acc}.x; C[o + 1u] = ${acc}.y; C[o + 2u] = ${acc}.z; C[o + 3u] = ${acc}.w; }
            else { for (var c = 0u; col + c < ${N}u; c++) { C[o + c] = ${acc}[c]; } } }`);
    }
    stores.push(`        if (row0 + ly * ${PER}u + ${r}u < ${M}u) {
          let row = row0 + ly * ${PER}u + ${r}u;
${row.join('\n')}
        }`);
  }
  const decl = Array.from({ length: PER * R4 }, (_, i) => `var acc${Math.floor(i / R4)}_${i % R4} = vec4f(0.0);`);
  return `${BINDINGS}
var<workgroup> As: array<vec4f, ${T4 * TK}>;
var<workgroup> Bs: array<vec4f, ${T4 * TK}>;
@compute @workgroup_size(${LANES}, ${LANES})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l: vec3u, @builtin(local_invocation_index) lid: u32) {
  let lx = l.x;
  let ly = l.y;
  for (var bz = wid.z; bz < ${g.batch}u; bz += ${grid[2]}u) {
    let aBase = ${g.aOff};
    let bBase = ${g.bOff};
    let c0 = bz * ${M * N}u;
    for (var tm = wid.y; tm < ${Math.ceil(M / TILE)}u; tm += ${grid[1]}u) {
      for (var tn = wid.x; tn < ${Math.ceil(N / TILE)}u; tn += ${grid[0]}u) {
        let row0 = tm * ${TILE}u;
        let col0 = tn * ${TILE}u;
        ${decl.join(' ')}
        for (var k0 = 0u; k0 < ${K}u; k0 += ${TK}u) {
          for (var e = lid; e < ${T4 * TK}u; e += ${LANES * LANES}u) {
            let kq = e % ${TK}u;
            let m4 = (e / ${TK}u) * 4u;
            var av = vec4f(0.0);
            if (k0 + kq < ${K}u) {
              let p = aBase + (row0 + m4) * ${K}u + k0 + kq;
              if (row0 + m4 + 3u < ${M}u) { av = vec4f(A[p], A[p + ${K}u], A[p + ${2 * K}u], A[p + ${3 * K}u]); }
              else { for (var c = 0u; row0 + m4 + c < ${M}u; c++) { av[c] = A[p + c * ${K}u]; } }
            }
            As[kq * ${T4}u + m4 / 4u] = av;
            let kb = e / ${T4}u;
            let n4 = (e % ${T4}u) * 4u;
            var bv = vec4f(0.0);
            if (k0 + kb < ${K}u) {
              let p = bBase + (k0 + kb) * ${N}u + col0 + n4;
              if (col0 + n4 + 3u < ${N}u) { bv = vec4f(B[p], B[p + 1u], B[p + 2u], B[p + 3u]); }
              else { for (var c = 0u; col0 + n4 + c < ${N}u; c++) { bv[c] = B[p + c]; } }
            }
            Bs[e] = bv;
          }
          workgroupBarrier();
          for (var kk = 0u; kk < ${TK}u; kk++) {
${inner.join('\n')}
          }
          workgroupBarrier();
        }
${stores.join('\n')}
      }
    }
  }
}`;
}

/** Whether a product is too narrow or small for 64x64 tiles to pay off (M <= 16 goes to the thin kernel first). */
function useSimple(g: Geometry): boolean {
  return g.N <= 8 || g.M * g.N * g.K <= 32768;
}

/** The matmul primitive (see the file header). */
export const matmulKernel: WebGpuKernel = (node, [a, b], ctx) => {
  const g = geometry(node);
  if (g.K === 0) return ctx.zeros(node.size, 'f32');
  const c = ctx.alloc(node.size, 'f32');
  if (node.size === 0) return c;
  if (g.M <= 16) {
    const groups = linearGroups(g.batch * Math.ceil(g.N / 4), THIN_WG);
    ctx.dispatch({ kernel: 'matmul', code: thinSource(g, groups[0]), bindings: [a!, b!, c], workgroups: groups });
    return c;
  }
  if (useSimple(g)) {
    const groups = linearGroups(g.batch * g.M * g.N, WG);
    ctx.dispatch({ kernel: 'matmul', code: simpleSource(g, groups[0]), bindings: [a!, b!, c], workgroups: groups });
    return c;
  }
  const grid: [number, number, number] = [
    Math.min(Math.ceil(g.N / TILE), MAX_GROUPS), Math.min(Math.ceil(g.M / TILE), MAX_GROUPS), Math.min(g.batch, MAX_GROUPS),
  ];
  ctx.dispatch({ kernel: 'matmul', code: tiledSource(g, grid), bindings: [a!, b!, c], workgroups: grid });
  return c;
};
