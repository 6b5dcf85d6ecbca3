// The protobuf encoder and the ModelProto writer: known byte encodings (varints, negative int64, floats,
// strings, nested messages), and a model read back field by field with a small independent decoder.
import test from 'ava';
import { ProtoWriter } from '../../backends/onnx/protobuf-writer.js';
import { IR_VERSION, OPSET_VERSION, OnnxType, encodeModel } from '../../backends/onnx/onnx-model.js';

const hex = (w: ProtoWriter): string => Buffer.from(w.bytes()).toString('hex');

test('varints follow the protobuf encoding, negative int64 as 10 bytes', (t) => {
  const cases: [number, string][] = [[0, '0800'], [1, '0801'], [127, '087f'], [128, '088001'], [300, '08ac02'], [2 ** 32, '088080808010'],
    [-1, '08ffffffffffffffffff01'], [-2, '08feffffffffffffffff01']];
  for (const [v, want] of cases) {
    const w = new ProtoWriter();
    w.int(1, v);
    t.is(hex(w), want, `int ${v}`);
  }
  t.throws(() => new ProtoWriter().int(1, 1.5), { message: /not an integer/ });
});

test('floats, strings and nested messages', (t) => {
  const w = new ProtoWriter();
  w.float(2, 1.5); // key (2<<3)|5 = 0x15, then 1.5f little-endian 0000c03f
  w.string(3, 'hé'); // key 0x1a, length 3, utf-8
  w.message(4, (m) => m.int(1, 150)); // key 0x22, length 3, 08 96 01
  t.is(hex(w), '150000c03f' + '1a0368c3a9' + '2203089601');
});

// An independent reader: the fields of one message as [field, wireType, value] (value: number or bytes).
function readFields(buf: Uint8Array): [number, number, number | Uint8Array][] {
  const out: [number, number, number | Uint8Array][] = [];
  let i = 0;
  const varint = (): number => {
    let v = 0, mul = 1, b: number;
    do { b = buf[i++]!; v += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80);
    return v;
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8), wire = key % 8;
    if (wire === 0) out.push([field, wire, varint()]);
    else if (wire === 2) { const n = varint(); out.push([field, wire, buf.subarray(i, i + n)]); i += n; } else if (wire === 5) { out.push([field, wire, buf.subarray(i, i + 4)]); i += 4; } else throw new Error(`wire type ${wire}`);
  }
  return out;
}
const sub = (f: [number, number, number | Uint8Array][], field: number): Uint8Array[] => f.filter(([n]) => n === field).map(([, , v]) => v as Uint8Array);
const num = (f: [number, number, number | Uint8Array][], field: number): number[] => f.filter(([n]) => n === field).map(([, , v]) => v as number);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

test('encodeModel writes ModelProto fields with the onnx.proto3 numbers', (t) => {
  const bytes = encodeModel({
    graphName: 'g', nodes: [{ opType: 'Add', inputs: ['x', 'c'], outputs: ['y'], name: 'add_1', attributes: [{ name: 'axes', kind: 'ints', value: [0, -1] }] }],
    initializers: [{ name: 'c', dataType: OnnxType.FLOAT, dims: [], raw: new Uint8Array(Float32Array.of(2).buffer) }],
    inputs: [{ name: 'x', dataType: OnnxType.FLOAT, dims: [2, 3] }], outputs: [{ name: 'y', dataType: OnnxType.INT32, dims: [] }],
  });
  const model = readFields(bytes);
  t.deepEqual(num(model, 1), [IR_VERSION]);
  const [opset] = sub(model, 8).map(readFields);
  t.deepEqual(num(opset!, 2), [OPSET_VERSION]);
  const graph = readFields(sub(model, 7)[0]!);
  t.is(str(sub(graph, 2)[0]!), 'g');
  const node = readFields(sub(graph, 1)[0]!);
  t.deepEqual(sub(node, 1).map(str), ['x', 'c']);
  t.deepEqual(sub(node, 2).map(str), ['y']);
  t.is(str(sub(node, 3)[0]!), 'add_1');
  t.is(str(sub(node, 4)[0]!), 'Add');
  const at = readFields(sub(node, 5)[0]!);
  t.is(str(sub(at, 1)[0]!), 'axes');
  t.deepEqual(num(at, 20), [7]); // INTS
  t.deepEqual(num(at, 8), [0, 2 ** 64 - 1]); // -1 as uint64 (the reader's doubles round it)
  const init = readFields(sub(graph, 5)[0]!);
  t.deepEqual(num(init, 1), []); // scalar: no dims
  t.deepEqual(num(init, 2), [OnnxType.FLOAT]);
  t.deepEqual([...new Float32Array(sub(init, 9)[0]!.slice().buffer)], [2]);
  const input = readFields(sub(graph, 11)[0]!);
  const tensorType = readFields(sub(readFields(sub(input, 2)[0]!), 1)[0]!);
  t.deepEqual(num(tensorType, 1), [OnnxType.FLOAT]);
  const dims = sub(readFields(sub(tensorType, 2)[0]!), 1).map((d) => num(readFields(d), 1)[0]);
  t.deepEqual(dims, [2, 3]);
  const output = readFields(sub(graph, 12)[0]!);
  const outShape = sub(readFields(sub(readFields(sub(output, 2)[0]!), 1)[0]!), 2);
  t.is(outShape.length, 1, 'a rank-0 output still has a (empty) shape');
  t.is(outShape[0]!.length, 0);
});
