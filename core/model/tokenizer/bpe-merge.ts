// The BPE merge loop shared by the HF BPE model (merge ranks) and the llama2.c tokenizer (merged-token scores).
// Symbols live in a linked list; candidate pairs in a binary heap ordered by (priority, position), so a word of
// n symbols costs O(n log n) and ties go to the leftmost pair, as both Hugging Face and llama2.c do.

/** No merge rule for a pair. */
export const NO_MERGE = Number.POSITIVE_INFINITY;

/** The merge rules: which adjacent pairs merge, in what order, into what. */
export interface MergeTable {
  /** Priority of merging (left, right): lower merges first; NO_MERGE when the pair never merges. */
  priority(left: number, right: number): number;
  /** The id that (left, right) merges into; only called when priority() was finite. */
  result(left: number, right: number): number;
}

/** Repeatedly merge the best adjacent pair (lowest priority, leftmost on ties) until no rule applies. */
export function mergeByPriority(symbols: readonly number[], table: MergeTable): number[] {
  const n = symbols.length;
  if (n < 2) return symbols.slice();
  const id = Int32Array.from(symbols);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  const heap = new PairHeap();
  for (let i = 0; i + 1 < n; i++) {
    const p = table.priority(id[i]!, id[i + 1]!);
    if (p !== NO_MERGE) heap.push(p, i, id[i]!, id[i + 1]!);
  }
  while (heap.size > 0) {
    const pos = heap.topPos();
    const a = heap.topLeft();
    const b = heap.topRight();
    heap.pop();
    if (id[pos] !== a) continue; // the left symbol was merged away or changed since this entry was queued
    const j = next[pos]!;
    if (j < 0 || id[j] !== b) continue;
    const merged = table.result(a, b);
    id[pos] = merged;
    id[j] = -1;
    const k = next[j]!;
    next[pos] = k;
    if (k >= 0) prev[k] = pos;
    const before = prev[pos]!;
    if (before >= 0) {
      const p = table.priority(id[before]!, merged);
      if (p !== NO_MERGE) heap.push(p, before, id[before]!, merged);
    }
    if (k >= 0) {
      const p = table.priority(merged, id[k]!);
      if (p !== NO_MERGE) heap.push(p, pos, merged, id[k]!);
    }
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]!) out.push(id[i]!);
  return out;
}

/** (p1, pos1) comes before (p2, pos2): lower priority first, then leftmost. */
function before(p1: number, pos1: number, p2: number, pos2: number): boolean {
  return p1 < p2 || (p1 === p2 && pos1 < pos2);
}

/** A binary min-heap of (priority, position, leftId, rightId) on parallel arrays. */
class PairHeap {
  private prio: number[] = [];
  private pos: number[] = [];
  private left: number[] = [];
  private right: number[] = [];
  size = 0;

  topPos(): number { return this.pos[0]!; }
  topLeft(): number { return this.left[0]!; }
  topRight(): number { return this.right[0]!; }

  push(p: number, pos: number, l: number, r: number): void {
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(p, pos, this.prio[parent]!, this.pos[parent]!)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, p, pos, l, r);
  }

  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const p = this.prio[last]!, pos = this.pos[last]!, l = this.left[last]!, r = this.right[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && before(this.prio[child + 1]!, this.pos[child + 1]!, this.prio[child]!, this.pos[child]!)) child++;
      if (!before(this.prio[child]!, this.pos[child]!, p, pos)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, p, pos, l, r);
  }

  private move(from: number, to: number): void {
    this.set(to, this.prio[from]!, this.pos[from]!, this.left[from]!, this.right[from]!);
  }
  private set(i: number, p: number, pos: number, l: number, r: number): void {
    this.prio[i] = p; this.pos[i] = pos; this.left[i] = l; this.right[i] = r;
  }
}
