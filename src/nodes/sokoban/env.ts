/**
 * The Sokoban environment with gym-sokoban's push rules and rewards: moving into a box pushes it when the cell
 * beyond is free (floor or target), otherwise the player stays; every step costs 0.1, a box pushed onto a target
 * gives +1, off a target −1, and placing the last box +10. An episode is done when every box is placed or after
 * `maxSteps` executed steps (30 in the paper). Invalid model answers are the evaluator's business: they never reach
 * `step`.
 */
import { renderGrid } from './render.js';
import { DIRECTIONS, isSolved, neighbour, type Direction, type Level } from './types.js';

/** Reward constants of gym-sokoban. */
export const REWARDS = { step: -0.1, boxOnTarget: 1, boxOffTarget: -1, finished: 10 } as const;

/** Outcome of one executed action. */
export interface StepResult {
  readonly reward: number;
  readonly done: boolean;
  readonly success: boolean;
  /** Whether the player (and maybe a box) actually moved. */
  readonly moved: boolean;
  readonly pushed: boolean;
}

/** Options of `SokobanEnv.fromLevel`. */
export interface EnvOptions {
  /** Executed-step cap; the episode ends when it is reached. Default 30 (the paper's max_steps). */
  readonly maxSteps?: number;
}

/** A mutable episode over an immutable starting level. */
export class SokobanEnv {
  private player: number;
  private readonly boxes: Set<number>;
  private stepsTaken = 0;
  private finished = false;

  private constructor(
    private readonly level: Level,
    readonly maxSteps: number,
  ) {
    this.player = level.player;
    this.boxes = new Set(level.boxes);
    this.finished = isSolved(level);
  }

  static fromLevel(level: Level, options: EnvOptions = {}): SokobanEnv {
    const maxSteps = options.maxSteps ?? 30;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new Error(`maxSteps must be a positive integer, got ${maxSteps}`);
    return new SokobanEnv(level, maxSteps);
  }

  /** The current position as a `Level` snapshot (render it, solve it, or start a new env from it). */
  get state(): Level {
    return { ...this.level, player: this.player, boxes: [...this.boxes].sort((a, b) => a - b) };
  }

  get steps(): number {
    return this.stepsTaken;
  }

  get boxesOnTarget(): number {
    let n = 0;
    for (const b of this.boxes) n += this.level.targets[b] ?? 0;
    return n;
  }

  /** All boxes placed. */
  get success(): boolean {
    return this.boxesOnTarget === this.boxes.size;
  }

  get done(): boolean {
    return this.finished || this.stepsTaken >= this.maxSteps;
  }

  /** Executes one action; throws if the episode is already done (the caller's loop is wrong). */
  step(dir: Direction): StepResult {
    if (!DIRECTIONS.includes(dir)) throw new Error(`unknown direction ${JSON.stringify(dir)}`);
    if (this.done) throw new Error('step() after the episode is done');
    const { walls } = this.level;
    const before = this.boxesOnTarget;
    this.stepsTaken++;
    let moved = false;
    let pushed = false;
    const next = neighbour(this.level, this.player, dir);
    if (next >= 0 && walls[next] === 0) {
      if (this.boxes.has(next)) {
        const beyond = neighbour(this.level, next, dir);
        if (beyond >= 0 && walls[beyond] === 0 && !this.boxes.has(beyond)) {
          this.boxes.delete(next);
          this.boxes.add(beyond);
          this.player = next;
          moved = pushed = true;
        }
      } else {
        this.player = next;
        moved = true;
      }
    }
    const after = this.boxesOnTarget;
    let reward: number = REWARDS.step;
    if (after > before) reward += REWARDS.boxOnTarget;
    else if (after < before) reward += REWARDS.boxOffTarget;
    const success = after === this.boxes.size;
    if (success) {
      reward += REWARDS.finished;
      this.finished = true;
    }
    return { reward, done: this.done, success, moved, pushed };
  }

  /** The paper's text observation of the current position. */
  render(): string {
    return renderGrid(this.state);
  }

  /** An independent copy of this episode (same position, steps and cap). */
  clone(): SokobanEnv {
    const env = new SokobanEnv(this.state, this.maxSteps);
    env.stepsTaken = this.stepsTaken;
    env.finished = this.finished;
    return env;
  }
}
