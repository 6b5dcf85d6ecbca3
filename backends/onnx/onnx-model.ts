// The subset of ONNX's ModelProto that gramr writes (ModelProto, GraphProto, NodeProto, AttributeProto,
// TensorProto, ValueInfoProto, TypeProto, OperatorSetIdProto) as plain objects, and their protobuf encoding.
// Field numbers are those of onnx/onnx.proto3 (IR version 8, opset 17).
import { ProtoWriter } from './protobuf-writer.js';

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, BOOL: 9 } as const;
/** One of the data types gramr emits. */
export type OnnxDataType = (typeof OnnxType)[keyof typeof OnnxType];

/** ONNX IR version written into models (IR 8 goes with opset 17). */
export const IR_VERSION = 8;
/** Default-domain opset the lowering targets. */
export const OPSET_VERSION = 17;

/** A node attribute (AttributeProto); exactly one value kind. */
export type OnnxAttribute =
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'ints'; value: readonly number[] }
  | { name: string; kind: 'floats'; value: readonly number[] }
  | { name: string; kind: 'tensor'; value: OnnxTensor };

/** A constant tensor (TensorProto with raw little-endian data). */
export interface OnnxTensor {
  /** Value name (for initializers). */
  name: string;
  /** Data type. */
  dataType: OnnxDataType;
  /** Dimensions; `[]` for a scalar. */
  dims: readonly number[];
  /** Element bytes, little-endian, row-major (empty when `external` holds them). */
  raw: Uint8Array;
  /** Where the bytes live instead, for a model saved with external data (a file beside the model). */
  external?: OnnxExternalData;
}

/** The place of one tensor's bytes in an external data file (TensorProto.external_data). */
export interface OnnxExternalData {
  /** File name, relative to the model file. */
  location: string;
  /** Byte offset in that file. */
  offset: number;
  /** Byte length. */
  length: number;
}

/** One dimension of a graph input or output: a size, or a symbolic name (`batch_size`) fixed at run time. */
export type OnnxDim = number | string;

/** A graph input or output (ValueInfoProto with a tensor type). */
export interface OnnxValueInfo {
  /** Value name. */
  name: string;
  /** Element type. */
  dataType: OnnxDataType;
  /** Dimensions, static (numbers) or symbolic (names); `[]` for a scalar. */
  dims: readonly OnnxDim[];
}

/** One operator call (NodeProto). */
export interface OnnxNode {
  /** Operator name in its domain (`MatMul`, `Softmax`, ...). */
  opType: string;
  /** Input value names; '' marks an omitted optional input. */
  inputs: readonly string[];
  /** Output value names. */
  outputs: readonly string[];
  /** Node name (gramr names nodes after the op and program node that produced them). */
  name: string;
  /** Attributes. */
  attributes?: readonly OnnxAttribute[];
  /** Operator domain; '' (default) is ai.onnx. */
  domain?: string;
}

/** A whole model (ModelProto with one GraphProto). */
export interface OnnxModel {
  /** Graph name. */
  graphName: string;
  /** Free text stored as the graph's doc_string. */
  docString?: string;
  /** Nodes in topological order. */
  nodes: readonly OnnxNode[];
  /** Constant tensors. */
  initializers: readonly OnnxTensor[];
  /** Graph inputs (fed at run time). */
  inputs: readonly OnnxValueInfo[];
  /** Graph outputs. */
  outputs: readonly OnnxValueInfo[];
  /** Extra opset imports (e.g. `com.microsoft`), besides the default domain at OPSET_VERSION. */
  extraOpsets?: readonly { domain: string; version: number }[];
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  for (const d of t.dims) w.int(1, d); // dims
  w.int(2, t.dataType); // data_type
  if (t.name) w.string(8, t.name); // name
  if (t.external) {
    const entries: [string, string][] = [['location', t.external.location], ['offset', String(t.external.offset)], ['length', String(t.external.length)]];
    for (const [key, value] of entries) w.message(13, (e) => { e.string(1, key); e.string(2, value); }); // external_data
    w.int(14, 1); // data_location = EXTERNAL
  } else {
    w.bytesField(9, t.raw); // raw_data
  }
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name); // name
  w.message(2, (type) => { // TypeProto
    type.message(1, (tensor) => { // tensor_type
      tensor.int(1, v.dataType); // elem_type
      tensor.message(2, (shape) => { // TensorShapeProto (present even for rank 0)
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d))); // dim { dim_value | dim_param }
      });
    });
  });
}

// AttributeProto.AttributeType values.
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name); // name
  w.int(20, ATTR_TYPE[a.kind]); // type
  switch (a.kind) {
    case 'float': w.float(2, a.value); break;
    case 'int': w.int(3, a.value); break;
    case 'string': w.string(4, a.value); break;
    case 'tensor': w.message(5, (t) => writeTensor(t, a.value)); break;
    case 'floats': for (const f of a.value) w.float(7, f); break;
    case 'ints': for (const i of a.value) w.int(8, i); break;
  }
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i); // input
  for (const o of n.outputs) w.string(2, o); // output
  w.string(3, n.name); // name
  w.string(4, n.opType); // op_type
  for (const a of n.attributes ?? []) w.message(5, (aw) => writeAttribute(aw, a)); // attribute
  if (n.domain) w.string(7, n.domain); // domain
}

/** Encodes `model` as ModelProto bytes (ir_version 8, opset 17 of the default domain). */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION); // ir_version
  w.string(2, 'gramr'); // producer_name
  w.string(3, '0.1'); // producer_version
  w.message(7, (g) => { // graph
    for (const n of model.nodes) g.message(1, (nw) => writeNode(nw, n)); // node
    g.string(2, model.graphName); // name
    for (const t of model.initializers) g.message(5, (tw) => writeTensor(tw, t)); // initializer
    if (model.docString) g.string(10, model.docString); // doc_string
    for (const v of model.inputs) g.message(11, (vw) => writeValueInfo(vw, v)); // input
    for (const v of model.outputs) g.message(12, (vw) => writeValueInfo(vw, v)); // output
  });
  const opsets = [{ domain: '', version: OPSET_VERSION }, ...(model.extraOpsets ?? [])];
  for (const o of opsets) {
    w.message(8, (ow) => { // opset_import
      if (o.domain) ow.string(1, o.domain); // domain
      ow.int(2, o.version); // version
    });
  }
  return w.bytes().slice();
}
