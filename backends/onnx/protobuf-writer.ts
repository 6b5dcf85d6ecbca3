// A minimal protocol-buffers encoder: varints (including negative int64 as 10-byte two's complement), fixed32
// floats, length-delimited bytes/strings and nested messages. Enough to write ONNX ModelProto (onnx-model.ts);
// no decoding, no reflection. Wire format: https://protobuf.dev/programming-guides/encoding/.

const utf8 = new TextEncoder();

/** Wire types of the protobuf encoding. */
const VARINT = 0, LEN = 2, I32 = 5;

/** Appends protobuf fields to a growing byte buffer. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private readonly view4 = new DataView(new ArrayBuffer(4));

  /** Bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array { return this.buf.subarray(0, this.len); }

  /** Number of bytes written so far. */
  get length(): number { return this.len; }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** A raw varint: non-negative integers up to 2^53 directly, negative ones as 64-bit two's complement. */
  varint(value: number): void {
    if (!Number.isInteger(value)) throw new Error(`protobuf: varint ${value} is not an integer`);
    if (value < 0) {
      let v = BigInt.asUintN(64, BigInt(value));
      for (let i = 0; i < 10; i++) {
        const low = Number(v & 0x7fn);
        v >>= 7n;
        this.byte(v === 0n ? low : low | 0x80);
        if (v === 0n) return;
      }
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  private key(field: number, wire: number): void { this.varint(field * 8 + wire); }

  /** An int32/int64/enum/bool field (always written, even when 0). */
  int(field: number, value: number): void {
    this.key(field, VARINT);
    this.varint(value);
  }

  /** A float (fixed32, little-endian) field. */
  float(field: number, value: number): void {
    this.key(field, I32);
    this.view4.setFloat32(0, value, true);
    this.reserve(4);
    for (let i = 0; i < 4; i++) this.buf[this.len++] = this.view4.getUint8(i);
  }

  /** A length-delimited bytes field. */
  bytesField(field: number, data: Uint8Array): void {
    this.key(field, LEN);
    this.varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): void { this.bytesField(field, utf8.encode(value)); }

  /** A nested message field: `write` fills a fresh writer whose bytes become the field's payload. */
  message(field: number, write: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    write(inner);
    this.bytesField(field, inner.bytes());
  }
}
