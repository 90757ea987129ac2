/**
 * Freeze deadlocks (sound pruning for the A* solver). A box is blocked along an axis when, on that axis, a wall is
 * on either side, dead squares are on both sides (pushing it either way strands it), or a neighbouring box on
 * either side is itself frozen — checked recursively with the boxes already under examination treated as walls,
 * which covers 2x2 blocks and chains of boxes frozen against each other. A box blocked on both axes is frozen:
 * it can never move again, whatever the player does. A frozen group with a box off target is a deadlock (that
 * box can never reach a target); a group entirely on targets is not.
 */
export class FreezeCheck {
  /** 1 while a cell's box is under examination (then it counts as a wall). */
  private readonly inCheck: Uint8Array;

  /**
   * @param walls 0/1 per cell (the board has a wall frame)
   * @param targets 0/1 per cell
   * @param dead 1 where a box can never reach a target
   * @param boxAt per cell, equal to the caller's current stamp where a box stands
   */
  constructor(
    private readonly walls: Uint8Array,
    private readonly targets: Uint8Array,
    private readonly dead: Uint8Array,
    private readonly cols: number,
    private readonly boxAt: Int32Array,
  ) {
    this.inCheck = new Uint8Array(walls.length);
  }

  /** True when the box at `cell` (just pushed there) is frozen together with some box that is off target. */
  isDeadlocked(cell: number, stamp: number): boolean {
    return this.frozen(cell, stamp) === OFF_TARGET;
  }

  /** 'movable', 'frozen' (the box at `cell` can never move; the group found is on targets) or 'deadlock'. */
  classify(cell: number, stamp: number): 'movable' | 'frozen' | 'deadlock' {
    const r = this.frozen(cell, stamp);
    return r === NOT_FROZEN ? 'movable' : r === OFF_TARGET ? 'deadlock' : 'frozen';
  }

  /**
   * NOT_FROZEN, or whether the frozen group proving it (the boxes whose frozen results this answer used — each
   * blocked on both axes by walls, dead-square pairs or other boxes of the group, so none can ever move first)
   * holds a box off target.
   */
  private frozen(cell: number, stamp: number): number {
    this.inCheck[cell] = 1;
    let r = this.blocked(cell, 1, stamp);
    if (r !== NOT_FROZEN) {
      const v = this.blocked(cell, this.cols, stamp);
      r = v === NOT_FROZEN ? NOT_FROZEN : Math.max(r, v);
    }
    this.inCheck[cell] = 0;
    if (r !== NOT_FROZEN && this.targets[cell] !== 1) r = OFF_TARGET;
    return r;
  }

  private blocked(cell: number, off: number, stamp: number): number {
    const a = cell - off;
    const b = cell + off;
    const wallA = this.walls[a] !== 0 || this.inCheck[a] === 1;
    const wallB = this.walls[b] !== 0 || this.inCheck[b] === 1;
    if (wallA || wallB || (this.dead[a] === 1 && this.dead[b] === 1)) {
      // Blocked regardless; a box on the open side that is frozen too joins the group (it may be the one off
      // target), so look at it for a more complete answer.
      if (!wallA && this.boxAt[a] === stamp && this.frozen(a, stamp) === OFF_TARGET) return OFF_TARGET;
      if (!wallB && this.boxAt[b] === stamp && this.frozen(b, stamp) === OFF_TARGET) return OFF_TARGET;
      return ON_TARGET;
    }
    // A frozen neighbour box blocks this axis (only results that hold are used for the off-target answer).
    const ra = this.boxAt[a] === stamp ? this.frozen(a, stamp) : NOT_FROZEN;
    if (ra === OFF_TARGET) return ra;
    const rb = this.boxAt[b] === stamp ? this.frozen(b, stamp) : NOT_FROZEN;
    return Math.max(ra, rb);
  }
}

const NOT_FROZEN = -1;
/** Frozen, and every box of the proving group is on a target (as far as this result knows). */
const ON_TARGET = 0;
const OFF_TARGET = 1;
