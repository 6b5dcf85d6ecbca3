// safetensors reading and writing: round trip, F16/BF16/F64 decoding from hand-made bytes, and every kind of
// corrupt or hostile file rejected with an error naming the file and tensor, without reading past the header.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ModelFormatError, SafetensorsFile, readSafetensors, writeSafetensors, halfToFloat,
} from '../../core/model/checkpoint/index.js';
import { rawSafetensors, rng, tempDir } from './helpers.js';

test('write then read gives identical arrays; the header is 8-byte aligned and carries format=pt', async (t) => {
  const dir = tempDir(t);
  const r = rng(3);
  const a = Float32Array.from({ length: 6 }, () => r());
  const b = Float32Array.from({ length: 5 }, () => r() - 0.5);
  const path = join(dir, 'x.safetensors');
  await writeSafetensors(path, [['a', { shape: [2, 3], data: a }], ['b', { shape: [5], data: b }]]);
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  t.is(n % 8, 0);
  t.is(bytes.length, 8 + n + 44);
  const back = await readSafetensors(path);
  t.deepEqual(back.get('a'), { shape: [2, 3], data: a });
  t.deepEqual(back.get('b'), { shape: [5], data: b });
  const f = await SafetensorsFile.open(path);
  t.deepEqual(f.header.metadata, { format: 'pt' });
  t.deepEqual(f.entries.get('b'), { name: 'b', dtype: 'F32', shape: [5], begin: 24, end: 44 });
  await f.close();
  await t.throwsAsync(writeSafetensors(join(dir, 'bad.safetensors'), [['a', { shape: [4], data: a }]]), { message: /bad\.safetensors \[a\]: data has 6 values, shape \[4\] needs 4/ });
});

test('F16, BF16 and F64 decode to the float32 values their bits mean', async (t) => {
  const dir = tempDir(t);
  const f16 = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x3555];
  const bf16 = [0x3f80, 0xc040, 0x4049, 0x0000];
  const f64 = new Float64Array([1 / 3, -1e10]);
  const u16 = (xs: number[]): Buffer => Buffer.from(Uint16Array.from(xs).buffer);
  const data = Buffer.concat([u16(f16), u16(bf16), Buffer.from(f64.buffer)]);
  const header = {
    h: { dtype: 'F16', shape: [8], data_offsets: [0, 16] },
    g: { dtype: 'BF16', shape: [2, 2], data_offsets: [16, 24] },
    d: { dtype: 'F64', shape: [2], data_offsets: [24, 40] },
  };
  const path = join(dir, 'mixed.safetensors');
  writeFileSync(path, rawSafetensors(header, data));
  const m = await readSafetensors(path);
  t.deepEqual([...m.get('h')!.data], [1, -2, 0.5, 65504, 2 ** -24, Infinity, -Infinity, Math.fround(0.333251953125)]);
  t.deepEqual([...m.get('g')!.data], [1, -3, 3.140625, 0]);
  t.deepEqual([...m.get('d')!.data], [Math.fround(1 / 3), Math.fround(-1e10)]);
  t.true(Number.isNaN(halfToFloat(0x7e00)));
});

/** Write `bytes` and expect SafetensorsFile.open to fail with `message`. */
async function rejects(t: import('ava').ExecutionContext, name: string, bytes: Uint8Array, message: RegExp): Promise<void> {
  const path = join(tempDir(t), name);
  writeFileSync(path, bytes);
  const err = await t.throwsAsync(SafetensorsFile.open(path), { instanceOf: ModelFormatError });
  t.true(err!.message.startsWith(path), err!.message);
  t.regex(err!.message, message);
}

const F32x2 = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };

test('a file shorter than the length field', (t) => rejects(t, 'tiny.safetensors', Buffer.from([1, 2, 3]), /file is 3 bytes; a safetensors file starts with an 8-byte header length/));

test('a header length past the end of the file', (t) => {
  const good = rawSafetensors({ w: F32x2 }, Buffer.alloc(8));
  return rejects(t, 'cut.safetensors', good.subarray(0, 20), /header length \d+ bytes runs past the end of the file \(20 bytes\)/);
});

test('a hostile 100 GB header length is rejected from the 8 length bytes alone', (t) => {
  const buf = Buffer.alloc(64);
  buf.writeBigUInt64LE(100_000_000_000n);
  return rejects(t, 'hostile.safetensors', buf, /header length 100000000000 bytes runs past the end of the file \(64 bytes\)/);
});

test('invalid JSON in the header', (t) => rejects(t, 'json.safetensors', rawSafetensors(undefined, Buffer.alloc(8), '{"w": {"dtype": "F32",'), /header is not valid JSON/));

test('an unknown dtype', (t) => rejects(t, 'dtype.safetensors', rawSafetensors({ w: { ...F32x2, dtype: 'F17' } }, Buffer.alloc(8)), /\[w\]: unknown dtype "F17"; valid: BOOL, U8/));

test('data offsets out of range', (t) => rejects(t, 'range.safetensors', rawSafetensors({ w: { ...F32x2, data_offsets: [8, 16] } }, Buffer.alloc(8)), /\[w\]: data_offsets \[8, 16\] are out of range: the data section has 8 bytes/));

test('overlapping tensors', (t) => rejects(t, 'overlap.safetensors', rawSafetensors({
  a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
}, Buffer.alloc(12)), /tensors a \[0, 8\] and b \[4, 12\] overlap/));

test('data length not matching shape x dtype', (t) => rejects(t, 'size.safetensors', rawSafetensors({ w: { dtype: 'BF16', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)), /\[w\]: data length 8 bytes does not match shape \[3\] x BF16 \(6 bytes\)/));

test('bytes that belong to no tensor (hole or trailing garbage)', async (t) => {
  await rejects(t, 'hole.safetensors', rawSafetensors({ w: { ...F32x2, data_offsets: [4, 12] } }, Buffer.alloc(12)), /bytes 0\.\.4 of the data section belong to no tensor/);
  await rejects(t, 'tail.safetensors', rawSafetensors({ w: F32x2 }, Buffer.alloc(12)), /the data section has 12 bytes but the tensors cover 8/);
});

test('bad shapes, offsets and metadata', async (t) => {
  await rejects(t, 'shape.safetensors', rawSafetensors({ w: { ...F32x2, shape: [-2] } }, Buffer.alloc(8)), /\[w\]: shape must be a list of integers >= 0/);
  await rejects(t, 'offs.safetensors', rawSafetensors({ w: { ...F32x2, data_offsets: [8, 0] } }, Buffer.alloc(8)), /\[w\]: data_offsets must be \[begin, end\] with 0 <= begin <= end/);
  await rejects(t, 'meta.safetensors', rawSafetensors({ __metadata__: { n: 1 }, w: F32x2 }, Buffer.alloc(8)), /\[__metadata__\]: __metadata__ must map strings to strings/);
});

test('integer tensors can be listed but not read as weights', async (t) => {
  const path = join(tempDir(t), 'int.safetensors');
  writeFileSync(path, rawSafetensors({ ids: { dtype: 'I8', shape: [4], data_offsets: [0, 4] } }, Buffer.from([1, 2, 3, 4])));
  const f = await SafetensorsFile.open(path);
  t.is(f.entries.get('ids')!.dtype, 'I8');
  await t.throwsAsync(f.readFloat32('ids'), { message: /\[ids\]: dtype I8 cannot be read as float weights; readable: F32, F16, BF16, F64/ });
  await t.throwsAsync(f.readFloat32('nope'), { message: /\[nope\]: no such tensor in this file/ });
  await f.close();
});

test('BF16 and F16 tensors larger than the 4 MiB conversion chunk read whole and into a given array alike', async (t) => {
  const dir = tempDir(t);
  const n = 3_000_001; // 6 MB per 16-bit tensor: two chunks and a remainder
  const bits = new Uint16Array(n);
  for (let i = 0; i < n; i++) bits[i] = (i * 40503) & 0x7bff; // finite values of both formats, varied exponents
  const bytes = Buffer.from(bits.buffer);
  const path = join(dir, 'big.safetensors');
  writeFileSync(path, rawSafetensors({ b: { dtype: 'BF16', shape: [n], data_offsets: [0, 2 * n] }, h: { dtype: 'F16', shape: [n], data_offsets: [2 * n, 4 * n] } }, Buffer.concat([bytes, bytes])));
  const f = await SafetensorsFile.open(path);
  const whole = await f.readFloat32('b');
  const into = new Float32Array(n).fill(NaN);
  t.is(await f.readFloat32('b', into), into);
  for (const i of [0, 1, 2_097_151, 2_097_152, 2_097_153, n - 1]) {
    t.is(whole[i], new Float32Array(new Uint32Array([bits[i]! << 16]).buffer)[0], `BF16 element ${i}`);
    t.is(into[i], whole[i]);
  }
  const h = await f.readFloat32('h', new Float32Array(n));
  for (const i of [0, 2_097_152, n - 1]) t.is(h[i], Math.fround(halfToFloat(bits[i]!)), `F16 element ${i}`);
  await t.throwsAsync(f.readFloat32('b', new Float32Array(5)), { message: /'b' has 3000001 values, the target 5/ });
  await f.close();
});
