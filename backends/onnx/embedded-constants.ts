// Which cached sessions embed which buffers as initializers: a session (and its lowered model) lives while at least
// one buffer embedded in it is alive, so freeing the last one tells the backend to drop it.

/** Session keys by embedded buffer id and back. */
export class EmbeddedConstants {
  private readonly holders = new Map<string, Set<number>>();
  private readonly embeddedIn = new Map<number, Set<string>>();

  /** Records that the session/model under `key` embeds buffer `id`. */
  hold(key: string, id: number): void {
    let h = this.holders.get(key);
    if (!h) this.holders.set(key, (h = new Set()));
    h.add(id);
    let k = this.embeddedIn.get(id);
    if (!k) this.embeddedIn.set(id, (k = new Set()));
    k.add(key);
  }

  /** Forgets buffer `id`; returns the keys no live buffer is embedded in any more (to drop). */
  release(id: number): string[] {
    const keys = this.embeddedIn.get(id);
    if (!keys) return [];
    this.embeddedIn.delete(id);
    const orphans: string[] = [];
    for (const key of keys) {
      const holders = this.holders.get(key)!;
      holders.delete(id);
      if (holders.size > 0) continue;
      this.holders.delete(key);
      orphans.push(key);
    }
    return orphans;
  }

  /** Forgets everything. */
  clear(): void {
    this.holders.clear();
    this.embeddedIn.clear();
  }
}
