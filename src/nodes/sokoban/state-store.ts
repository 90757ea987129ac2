/**
 * Compact state storage for the solvers: search nodes' states (player cell + sorted box cells, `width` uint16 each)
 * live in one growable Uint16Array, and an open-addressing hash index (linear probing over an Int32Array) maps a
 * state to one node id. No per-state strings or objects, so millions of states cost tens of bytes each.
 */
export class StateStore {
  cells: Uint16Array;
  count = 0;
  private slots: Int32Array;
  private used = 0;

  constructor(readonly width: number, capacity = 64) {
    this.cells = new Uint16Array(capacity * width);
    this.slots = new Int32Array(capacity * 2).fill(-1);
  }

  /** Appends a node with this state (not indexed yet); returns its id. */
  append(state: ArrayLike<number>): number {
    if ((this.count + 1) * this.width > this.cells.length) {
      const grown = new Uint16Array(this.cells.length * 2);
      grown.set(this.cells);
      this.cells = grown;
    }
    const base = this.count * this.width;
    for (let j = 0; j < this.width; j++) this.cells[base + j] = state[j] as number;
    return this.count++;
  }

  /** The node id indexed for this state, or -1. */
  lookup(state: ArrayLike<number>): number {
    const mask = this.slots.length - 1;
    for (let i = hashOf(state, this.width) & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i] as number;
      if (id === -1 || this.equals(id, state)) return id;
    }
  }

  /** Whether `id` is the node indexed for its own state (false when a better node replaced it). */
  isIndexed(id: number): boolean {
    return this.lookup(this.cells.subarray(id * this.width, (id + 1) * this.width)) === id;
  }

  /** Makes `id` the node of its state (replacing any previous node with the same state). */
  index(id: number): void {
    if ((this.used + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const state = this.cells.subarray(id * this.width, (id + 1) * this.width);
    const mask = this.slots.length - 1;
    for (let i = hashOf(state, this.width) & mask; ; i = (i + 1) & mask) {
      const cur = this.slots[i] as number;
      if (cur === -1) {
        this.slots[i] = id;
        this.used++;
        return;
      }
      if (this.equals(cur, state)) {
        this.slots[i] = id;
        return;
      }
    }
  }

  private equals(id: number, state: ArrayLike<number>): boolean {
    const base = id * this.width;
    for (let j = 0; j < this.width; j++) if (this.cells[base + j] !== state[j]) return false;
    return true;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (const id of old) {
      if (id === -1) continue;
      const state = this.cells.subarray(id * this.width, (id + 1) * this.width);
      let i = hashOf(state, this.width) & mask;
      while (this.slots[i] !== -1) i = (i + 1) & mask;
      this.slots[i] = id;
    }
  }
}

/** A 32-bit multiplicative hash of a state. */
function hashOf(state: ArrayLike<number>, width: number): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < width; j++) {
    h = Math.imul(h ^ (state[j] as number), 0x9e3779b1);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return (h ^ (h >>> 16)) >>> 0;
}
