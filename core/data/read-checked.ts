// readChecked: the one loop that reads an artifact's records into typed values — each record passed through a check
// that returns the typed value or throws an error naming `where`, the record's index and the field — stopping after
// `limit` records. The training and adaptation stages read their datasets through it.

/** Checks record `index` (0-based, in artifact order) and returns it typed; throws an error naming `where` when it is not. */
export type RecordCheck<R, T> = (record: R, index: number, where: string) => T;

/** The records of `records`, each checked by `check`, at most `limit` of them (all when undefined). */
export async function readChecked<R, T>(records: AsyncIterable<R>, check: RecordCheck<R, T>, where: string, limit?: number): Promise<T[]> {
  const out: T[] = [];
  for await (const r of records) {
    if (limit !== undefined && out.length >= limit) break;
    out.push(check(r, out.length, where));
  }
  return out;
}
