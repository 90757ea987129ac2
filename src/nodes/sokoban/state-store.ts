/**
 * Compact state storage for the solvers: search nodes' states (player cell + sorted box cells, `width` values
 * each) live in one growable typed array — one byte per cell index when every index fits (boards up to 256 cells),
 * else two — and an open-addressing hash index (linear probing over an Int32Array) maps a state to one node id.
 * No per-state strings or objects, so millions of states cost tens of bytes each.
 */
export class StateStore {
  cells: Uint8Array | Uint16Array;
  count = 0;
  private slots: Int32Array;
  private used = 0;
  /** Slot where the latest lookup ended (-1: none), and the table size then. */
  private lastSlot = -1;
  private lastSize = 0;
  private readonly wide: boolean;
  private readonly maxLoad: number;

  /**
   * @param width values per state
   * @param capacity initial number of states
   * @param options maxValue: largest value stored (default 65535; <= 255 stores bytes); maxLoad: hash index load
   *   factor before it doubles (default 0.5; higher saves memory at more probes)
   */
  constructor(
    readonly width: number,
    capacity = 64,
    options: { readonly maxValue?: number; readonly maxLoad?: number } = {},
  ) {
    const maxValue = options.maxValue ?? 0xffff;
    if (maxValue > 0xffff) throw new Error(`StateStore holds values up to 65535, got ${maxValue}`);
    this.wide = maxValue > 0xff;
    this.maxLoad = options.maxLoad ?? 0.5;
    this.cells = this.wide ? new Uint16Array(capacity * width) : new Uint8Array(capacity * width);
    let slots = 16;
    while (slots * this.maxLoad < capacity + 1) slots *= 2;
    this.slots = new Int32Array(slots).fill(-1);
  }

  /** Bytes held by the store's arrays. */
  get bytes(): number {
    return this.cells.byteLength + this.slots.byteLength;
  }

  /** Appends a node with this state (not indexed yet); returns its id. */
  append(state: ArrayLike<number>): number {
    if ((this.count + 1) * this.width > this.cells.length) {
      const grown = this.wide ? new Uint16Array(this.cells.length * 2) : new Uint8Array(this.cells.length * 2);
      grown.set(this.cells);
      this.cells = grown;
    }
    const base = this.count * this.width;
    for (let j = 0; j < this.width; j++) this.cells[base + j] = state[j] as number;
    return this.count++;
  }

  /** The node id indexed for this state, or -1. Remembers where the probe ended, for `indexLookedUp`. */
  lookup(state: ArrayLike<number>): number {
    const mask = this.slots.length - 1;
    for (let i = hashOf(state, this.width) & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i] as number;
      if (id === -1 || this.equals(id, state)) {
        this.lastSlot = i;
        this.lastSize = this.slots.length;
        return id;
      }
    }
  }

  /**
   * `index(id)` for a node just appended with the state of the latest `lookup` (no other lookup, index or
   * append in between): reuses that probe's slot instead of hashing again.
   */
  indexLookedUp(id: number): void {
    const slot = this.lastSlot;
    if (slot < 0 || this.lastSize !== this.slots.length) return this.index(id);
    this.lastSlot = -1;
    const cur = this.slots[slot] as number;
    if (cur !== -1) {
      this.slots[slot] = id; // replaces the node with the same state
      return;
    }
    if (this.used + 1 > this.slots.length * this.maxLoad) return this.index(id);
    this.slots[slot] = id;
    this.used++;
  }

  /** Whether `id` is the node indexed for its own state (false when a better node replaced it). */
  isIndexed(id: number): boolean {
    const mask = this.slots.length - 1;
    for (let i = hashAt(this.cells, id * this.width, this.width) & mask; ; i = (i + 1) & mask) {
      const cur = this.slots[i] as number;
      if (cur === -1) return false;
      if (cur === id) return true;
      if (this.sameState(cur, id)) return false;
    }
  }

  /** Makes `id` the node of its state (replacing any previous node with the same state). */
  index(id: number): void {
    this.lastSlot = -1;
    if (this.used + 1 > this.slots.length * this.maxLoad) this.rehash(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = hashAt(this.cells, id * this.width, this.width) & mask; ; i = (i + 1) & mask) {
      const cur = this.slots[i] as number;
      if (cur === -1) {
        this.slots[i] = id;
        this.used++;
        return;
      }
      if (this.sameState(cur, id)) {
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

  private sameState(a: number, b: number): boolean {
    const w = this.width;
    const cells = this.cells;
    for (let j = 0; j < w; j++) if (cells[a * w + j] !== cells[b * w + j]) return false;
    return true;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    const { cells, width } = this;
    for (let o = 0; o < old.length; o++) {
      const id = old[o] as number;
      if (id === -1) continue;
      let i = hashAt(cells, id * width, width) & mask;
      while (this.slots[i] !== -1) i = (i + 1) & mask;
      this.slots[i] = id;
    }
  }
}

/** A 32-bit multiplicative hash of a state. */
function hashOf(state: ArrayLike<number>, width: number): number {
  return hashAt(state, 0, width);
}

/** The hash of the `width` values of `a` starting at `base`. */
function hashAt(a: ArrayLike<number>, base: number, width: number): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < width; j++) {
    h = Math.imul(h ^ (a[base + j] as number), 0x9e3779b1);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A copy of a per-node typed array with room for `capacity` entries (the solvers' node arrays double as they fill). */
export function grown<T extends Int32Array | Uint8Array | Uint16Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array);
  return next;
}
