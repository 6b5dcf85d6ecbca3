// PairTable: an open-addressing hash map from a pair of token ids to an int, on typed arrays. BPE merge ranks
// for 150k merges live here without boxing, so building and probing it is far cheaper than a Map with pair keys.

/** (left, right) -> value, for non-negative int32 ids and values. */
export class PairTable {
  private keysL: Int32Array;
  private keysR: Int32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keysL = new Int32Array(cap).fill(-1);
    this.keysR = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** The value for (left, right), or -1. */
  get(left: number, right: number): number {
    let i = hash(left, right) & this.mask;
    for (;;) {
      const k = this.keysL[i]!;
      if (k === -1) return -1;
      if (k === left && this.keysR[i] === right) return this.values[i]!;
      i = (i + 1) & this.mask;
    }
  }

  /** Set (left, right) -> value unless the pair is already present (first one wins). */
  setIfAbsent(left: number, right: number, value: number): void {
    if (this.count * 2 >= this.keysL.length) this.grow();
    let i = hash(left, right) & this.mask;
    for (;;) {
      const k = this.keysL[i]!;
      if (k === -1) {
        this.keysL[i] = left; this.keysR[i] = right; this.values[i] = value; this.count++;
        return;
      }
      if (k === left && this.keysR[i] === right) return;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const [l, r, v] = [this.keysL, this.keysR, this.values];
    this.keysL = new Int32Array(l.length * 2).fill(-1);
    this.keysR = new Int32Array(l.length * 2);
    this.values = new Int32Array(l.length * 2);
    this.mask = l.length * 2 - 1;
    this.count = 0;
    for (let i = 0; i < l.length; i++) if (l[i] !== -1) this.setIfAbsent(l[i]!, r[i]!, v[i]!);
  }
}

function hash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return h >>> 0;
}
