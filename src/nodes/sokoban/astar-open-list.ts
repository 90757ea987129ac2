/**
 * The A* open list as a bucket queue: integer f values index buckets, each split by h, each an intrusive LIFO stack
 * threaded through one Int32Array of "next" links (one int per node, no per-entry objects). Pops the smallest f,
 * and among equal f the smallest h (= the largest g, the node closest to a goal), newest first. Ties are broken by
 * insertion order only, so the search is deterministic.
 */
export class BucketQueue {
  size = 0;
  /** The h of the node last popped. */
  lastH = 0;
  private next: Int32Array;
  /** heads[f][h]: newest node id in that bucket, or -1. */
  private readonly heads: Int32Array[] = [];
  /** Per f: entries count and a lower bound on the smallest non-empty h. */
  private counts = new Int32Array(64);
  private minH = new Int32Array(64);
  private minF = 0;

  constructor(capacity = 64) {
    this.next = new Int32Array(capacity);
  }

  /** Bytes held by the queue's arrays. */
  get bytes(): number {
    let b = this.next.byteLength + this.counts.byteLength + this.minH.byteLength;
    for (const h of this.heads) if (h !== undefined) b += h.byteLength;
    return b;
  }

  /** Adds node `id` (ids must be below 2^31) with integer f >= 0 and 0 <= h <= f. */
  push(id: number, f: number, h: number): void {
    if (id >= this.next.length) {
      const grown = new Int32Array(Math.max(this.next.length * 2, id + 1));
      grown.set(this.next);
      this.next = grown;
    }
    if (f >= this.counts.length) {
      let len = this.counts.length;
      while (len <= f) len *= 2;
      const c = new Int32Array(len);
      c.set(this.counts);
      this.counts = c;
      const m = new Int32Array(len);
      m.set(this.minH);
      this.minH = m;
    }
    let row = this.heads[f];
    if (row === undefined || h >= row.length) {
      let len = row === undefined ? 16 : row.length;
      while (len <= h) len *= 2;
      const grown = new Int32Array(len).fill(-1);
      if (row !== undefined) grown.set(row);
      row = grown;
      this.heads[f] = row;
    }
    this.next[id] = row[h] as number;
    row[h] = id;
    if (this.counts[f] === 0 || h < (this.minH[f] as number)) this.minH[f] = h;
    this.counts[f] = (this.counts[f] as number) + 1;
    if (this.size === 0 || f < this.minF) this.minF = f;
    this.size++;
  }

  /** Smallest f among queued nodes (undefined behaviour when empty). */
  peekF(): number {
    while (this.counts[this.minF] === 0) this.minF++;
    return this.minF;
  }

  /** Removes and returns the best node id; the queue must not be empty. */
  pop(): number {
    const f = this.peekF();
    const row = this.heads[f] as Int32Array;
    let h = this.minH[f] as number;
    while (row[h] === -1) h++;
    this.minH[f] = h;
    this.lastH = h;
    const id = row[h] as number;
    row[h] = this.next[id] as number;
    this.counts[f] = (this.counts[f] as number) - 1;
    this.size--;
    return id;
  }
}
