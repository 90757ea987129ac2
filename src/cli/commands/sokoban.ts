/**
 * `pipe sokoban generate|stats|solve|render|play` — Sokoban task tools for people and tests; JSON on stdout.
 * Bad input (unknown symbols, no player, unequal boxes and targets, malformed JSON lines) is reported naming the
 * line (and column); in `solve --batch` a bad line yields an error object and the remaining lines are still solved;
 * the exit code is 2 if any input was bad.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { defineCommand } from '../command-spec.js';
import {
  DIRECTIONS,
  generateLevel,
  gridSymbols,
  levelToXsb,
  LevelParseError,
  parseLevel,
  renderGrid,
  renderGridCompact,
  resolveSplit,
  SokobanEnv,
  solveAstar,
  solveBfs,
  splitCollection,
  type Direction,
  type Level,
  type SolveOptions,
} from '../../nodes/sokoban/api.js';
import { InputError, isInputError } from '../input-error.js';

/** Where the command reads and writes (injectable so tests need no subprocess). */
export interface SokobanIo {
  readonly lines: () => AsyncIterable<string>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readFile: (path: string) => Promise<string>;
}

const processIo: SokobanIo = {
  lines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  readFile: (p) => readFile(p, 'utf8'),
};

const USAGE = `Usage: pipe sokoban <generate|stats|solve|render|play> [options]

  generate --size 6x6 --boxes 1 [--count 1] [--seed 0] [--jsonl]
           (or --split <name>) levels from seeds seed, seed+1, …: {"seed", "grid", "optimal"} per level
           (--jsonl: one per line; otherwise a JSON array; --xsb adds the XSB text)
  stats    --size 6x6 --boxes 1 [--count 1000] [--seed 0]   mean optimal length, wall density, …
  solve    --batch [--solver bfs|astar] [--max-depth N] [--max-expansions N]
           reads JSON lines {"grid": "<grid rendering or XSB>"} and writes
           {"grid", "solvable", "status", "actions", "length", "expanded", "ms"} per line
  solve    --level FILE [--solver …]   one level, or every level of an XSB collection (one line each)
  render   --level FILE | --seed S --size 6x6 --boxes 1   {"grid", "xsb", "compact"} (--plain: the grid text)
  play     --level FILE | --seed S --size 6x6 --boxes 1   arrow keys or w a s d move (w Up, a Left, s Down,
           d Right), z undo, r restart, q quit. Without a terminal: one move per line (Up/Down/Left/Right or
           w/a/s/d, same meanings), a JSON line per step

Sizes are ROWSxCOLS (walls included). Exit codes: 0 ok, 2 bad input.
`;


function int(text: string | undefined, what: string, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text.trim())) throw new InputError(`${what} must be a non-negative integer, got '${text}'`);
  const n = Number(text);
  if (n < min) throw new InputError(`${what} must be at least ${min}, got ${n}`);
  return n;
}

function size(text: string | undefined, fallback: readonly [number, number]): readonly [number, number] {
  if (text === undefined) return fallback;
  const m = /^\s*(\d+)\s*[xX]\s*(\d+)\s*$/.exec(text) ?? /^\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new InputError(`--size must look like 6x6 (rows x cols), got '${text}'`);
  const r = Number(m[1]);
  const c = Number(m[2] ?? m[1]);
  if (r < 4 || c < 4 || r > 30 || c > 30) throw new InputError(`--size sides must be in 4..30, got ${r}x${c}`);
  return [r, c];
}

/** Split or --size/--boxes into generator parameters. */
function shape(v: Record<string, string | boolean | undefined>): { size: readonly [number, number]; boxes: number } {
  if (typeof v.split === 'string') {
    try {
      const s = resolveSplit(v.split);
      return { size: v.size === undefined ? s.size : size(v.size as string, s.size), boxes: int(v.boxes as string | undefined, '--boxes', s.boxes, 1) };
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError((e as Error).message);
    }
  }
  const boxes = int(v.boxes as string | undefined, '--boxes', 1, 1);
  if (boxes > 8) throw new InputError(`--boxes must be in 1..8, got ${boxes}`);
  return { size: size(v.size as string | undefined, [6, 6]), boxes };
}

function generate(seed: number, s: { size: readonly [number, number]; boxes: number }) {
  try {
    return generateLevel({ size: s.size, boxes: s.boxes, seed });
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

const COMMON = {
  size: { type: 'string' },
  boxes: { type: 'string' },
  split: { type: 'string' },
  seed: { type: 'string' },
  count: { type: 'string' },
  level: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function cmdGenerate(args: readonly string[], io: SokobanIo): Promise<number> {
  const { values: v } = parseArgs({ args: [...args], options: { ...COMMON, jsonl: { type: 'boolean' }, xsb: { type: 'boolean' } }, strict: true });
  const s = shape(v);
  const count = int(v.count, '--count', 1, 1);
  const seed = int(v.seed, '--seed', 0);
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    const g = generate(seed + i, s);
    const obj: Record<string, unknown> = { seed: seed + i, grid: renderGrid(g.level), optimal: g.optimal };
    if (v.xsb === true) obj.xsb = levelToXsb(g.level);
    const line = JSON.stringify(obj);
    if (v.jsonl === true) io.out(line + '\n');
    else items.push(line);
  }
  if (v.jsonl !== true) io.out(`[${items.join(',\n')}]\n`);
  return 0;
}

/** Statistics of generated levels (reported in the closing note and by the bench). */
export function levelStats(levels: readonly { level: Level; optimal: number; attempts: number }[]) {
  const optimal = levels.map((l) => l.optimal).sort((a, b) => a - b);
  let wallInterior = 0;
  let interior = 0;
  let floor = 0;
  for (const { level } of levels) {
    for (let r = 1; r < level.rows - 1; r++) {
      for (let c = 1; c < level.cols - 1; c++) {
        interior++;
        wallInterior += level.walls[r * level.cols + c] as number;
      }
    }
    floor += level.walls.reduce((s, w) => s + (w === 0 ? 1 : 0), 0);
  }
  const cells = levels.reduce((s, l) => s + l.level.rows * l.level.cols, 0);
  const hist: Record<string, number> = {};
  for (const o of optimal) hist[o] = (hist[o] ?? 0) + 1;
  return {
    count: levels.length,
    meanOptimal: optimal.reduce((s, o) => s + o, 0) / levels.length,
    medianOptimal: optimal[Math.floor(optimal.length / 2)],
    maxOptimal: optimal[optimal.length - 1],
    wallDensity: 1 - floor / cells,
    interiorWallDensity: wallInterior / interior,
    meanFloorCells: floor / levels.length,
    retriedFraction: levels.filter((l) => l.attempts > 1).length / levels.length,
    optimalHistogram: hist,
  };
}

async function cmdStats(args: readonly string[], io: SokobanIo): Promise<number> {
  const { values: v } = parseArgs({ args: [...args], options: COMMON, strict: true });
  const s = shape(v);
  const count = int(v.count, '--count', 1000, 1);
  const seed = int(v.seed, '--seed', 0);
  const t0 = performance.now();
  const levels = [];
  for (let i = 0; i < count; i++) levels.push(generate(seed + i, s));
  const ms = performance.now() - t0;
  io.out(JSON.stringify({ size: `${s.size[0]}x${s.size[1]}`, boxes: s.boxes, seed, ...levelStats(levels), generateMsPerLevel: ms / count }) + '\n');
  return 0;
}

function solverOf(v: Record<string, string | boolean | undefined>): { solve: (l: Level) => ReturnType<typeof solveBfs>; } {
  const name = (v.solver as string | undefined) ?? 'astar';
  if (name !== 'bfs' && name !== 'astar') throw new InputError(`--solver must be bfs or astar, got '${name}'`);
  const opts: SolveOptions = {
    ...(v['max-depth'] !== undefined ? { maxDepth: int(v['max-depth'] as string, '--max-depth', 0) } : {}),
    ...(v['max-expansions'] !== undefined ? { maxExpansions: int(v['max-expansions'] as string, '--max-expansions', 1, 1) } : {}),
  };
  return { solve: (l) => (name === 'bfs' ? solveBfs(l, opts) : solveAstar(l, opts)) };
}

function solution(grid: string, level: Level, solve: (l: Level) => ReturnType<typeof solveBfs>): Record<string, unknown> {
  const t0 = performance.now();
  const r = solve(level);
  const ms = Math.round((performance.now() - t0) * 1000) / 1000;
  return { grid, solvable: r.solvable, status: r.status, actions: r.actions, length: r.solvable ? r.actions.length : null, expanded: r.expanded, ms };
}

function located(e: unknown, prefix: string): string {
  if (e instanceof LevelParseError) return e.line > 0 ? `${prefix}line ${e.line}, column ${e.col}: ${e.reason}` : `${prefix}${e.reason}`;
  return `${prefix}${(e as Error).message}`;
}

async function cmdSolve(args: readonly string[], io: SokobanIo): Promise<number> {
  const { values: v } = parseArgs({
    args: [...args],
    options: { ...COMMON, batch: { type: 'boolean' }, solver: { type: 'string' }, 'max-depth': { type: 'string' }, 'max-expansions': { type: 'string' } },
    strict: true,
  });
  const { solve } = solverOf(v);
  if (v.batch === true) {
    let bad = 0;
    let n = 0;
    for await (const raw of io.lines()) {
      n++;
      if (raw.trim() === '') continue;
      let obj: unknown;
      try {
        obj = JSON.parse(raw);
      } catch (e) {
        bad++;
        io.out(JSON.stringify({ line: n, error: `malformed JSON: ${(e as Error).message}` }) + '\n');
        continue;
      }
      const rec = obj as Record<string, unknown> | null;
      const grid = rec !== null && typeof rec === 'object' ? (typeof rec.grid === 'string' ? rec.grid : rec.xsb) : undefined;
      if (typeof grid !== 'string') {
        bad++;
        io.out(JSON.stringify({ line: n, error: 'expected an object with a "grid" string (grid rendering or XSB)' }) + '\n');
        continue;
      }
      try {
        io.out(JSON.stringify(solution(grid, parseLevel(grid), solve)) + '\n');
      } catch (e) {
        bad++;
        io.out(JSON.stringify({ line: n, grid, error: located(e, 'grid ') }) + '\n');
      }
    }
    if (bad > 0) io.err(`pipe sokoban solve: ${bad} bad input line(s)\n`);
    return bad > 0 ? 2 : 0;
  }
  if (typeof v.level !== 'string') throw new InputError('solve needs --batch or --level FILE');
  const text = await readLevelFile(v.level, io);
  const parts = collectionParts(text);
  if (parts.length <= 1) {
    const level = parseOrThrow(text, v.level, 0);
    io.out(JSON.stringify(solution(text.replace(/\s+$/, ''), level, solve)) + '\n');
    return 0;
  }
  let bad = 0;
  for (const part of parts) {
    try {
      const level = parseOrThrow(part.text, v.level, part.line - 1);
      io.out(JSON.stringify({ level: part.line, ...solution(part.text, level, solve) }) + '\n');
    } catch (e) {
      bad++;
      io.out(JSON.stringify({ level: part.line, error: (e as Error).message }) + '\n');
    }
  }
  return bad > 0 ? 2 : 0;
}

async function readLevelFile(path: string, io: SokobanIo): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The levels of a collection file; [] when the file is one level. A line with walls and other symbols (a typo
 * inside a board) means one level, so its parse error is reported where it is.
 */
function collectionParts(text: string): ReturnType<typeof splitCollection> {
  const junk = text.split(/\r?\n/).some((l) => l.includes('#') && !/^\s*;/.test(l) && !/^[#@+$*. \-_]*$/.test(l));
  return junk ? [] : splitCollection(text);
}

/** Parses level text from a file; errors name file:line:col (lineOffset shifts lines inside a collection). */
function parseOrThrow(text: string, file: string, lineOffset: number): Level {
  try {
    return parseLevel(text);
  } catch (e) {
    if (e instanceof LevelParseError) {
      throw new InputError(e.line > 0 ? `${file}:${e.line + lineOffset}:${e.col}: ${e.reason}` : `${file}: ${e.reason}`);
    }
    throw e;
  }
}

async function levelFromArgs(v: Record<string, string | boolean | undefined>, io: SokobanIo): Promise<Level> {
  if (typeof v.level === 'string') {
    const text = await readLevelFile(v.level, io);
    const parts = collectionParts(text);
    return parts.length > 1 ? parseOrThrow((parts[0] as { text: string }).text, v.level, (parts[0] as { line: number }).line - 1) : parseOrThrow(text, v.level, 0);
  }
  return generate(int(v.seed as string | undefined, '--seed', 0), shape(v)).level;
}

async function cmdRender(args: readonly string[], io: SokobanIo): Promise<number> {
  const { values: v } = parseArgs({ args: [...args], options: { ...COMMON, plain: { type: 'boolean' } }, strict: true });
  const level = await levelFromArgs(v, io);
  if (v.plain === true) io.out(renderGrid(level) + '\n');
  else io.out(JSON.stringify({ grid: renderGrid(level), xsb: levelToXsb(level), compact: renderGridCompact(level) }) + '\n');
  return 0;
}

/** The move keys, one table for the terminal and for piped input, so a key means the same thing in both. */
const LETTERS: Readonly<Record<string, Direction>> = { w: 'Up', a: 'Left', s: 'Down', d: 'Right' };
const MOVES_HELP = 'arrow keys or w a s d: w Up, a Left, s Down, d Right';
const KEYS: Readonly<Record<string, Direction>> = {
  '\u001b[A': 'Up',
  '\u001b[B': 'Down',
  '\u001b[D': 'Left',
  '\u001b[C': 'Right',
  ...LETTERS,
};

/** A piped move: a direction word or one of the letters of `LETTERS` (case-insensitive). */
function wordToDirection(word: string): Direction | null {
  const w = word.trim().toLowerCase();
  return DIRECTIONS.find((d) => d.toLowerCase() === w) ?? LETTERS[w] ?? null;
}

async function cmdPlay(args: readonly string[], io: SokobanIo): Promise<number> {
  const { values: v } = parseArgs({ args: [...args], options: { ...COMMON, 'max-steps': { type: 'string' } }, strict: true });
  const level = await levelFromArgs(v, io);
  const maxSteps = int(v['max-steps'], '--max-steps', 1000, 1);
  const stdin = process.stdin;
  if (io !== processIo || !stdin.isTTY) {
    // Scriptable mode: one action word per line, a JSON line per step.
    const env = SokobanEnv.fromLevel(level, { maxSteps });
    let bad = 0;
    let n = 0;
    for await (const raw of io.lines()) {
      n++;
      if (raw.trim() === '') continue;
      const dir = wordToDirection(raw);
      if (dir === null) {
        bad++;
        io.out(JSON.stringify({ line: n, error: `unknown move '${raw.trim()}' (${MOVES_HELP})` }) + '\n');
        continue;
      }
      if (env.done) break;
      const r = env.step(dir);
      io.out(JSON.stringify({ action: dir, ...r, steps: env.steps, grid: env.render() }) + '\n');
      if (r.done) break;
    }
    return bad > 0 ? 2 : 0;
  }
  return playInteractive(level, maxSteps);
}

function playInteractive(level: Level, maxSteps: number): Promise<number> {
  const stdin = process.stdin;
  let env = SokobanEnv.fromLevel(level, { maxSteps });
  // Undo replays the kept actions on a fresh episode, so steps, rewards and the step cap stay exact.
  const actions: Direction[] = [];
  let total = 0;
  let note = `${MOVES_HELP}; z undo, r restart, q quit`;
  const replay = (): void => {
    env = SokobanEnv.fromLevel(level, { maxSteps });
    total = 0;
    for (const a of actions) total += env.step(a).reward;
  };
  const draw = (): void => {
    process.stdout.write('\u001b[2J\u001b[H');
    const rows = gridSymbols(env.state).map((row) => row.join(' ')); // the paper's symbols (√), for people
    process.stdout.write(rows.join('\n') + '\n\n');
    process.stdout.write(`steps ${env.steps}  boxes on target ${env.boxesOnTarget}/${env.state.boxes.length}  reward ${total.toFixed(1)}\n${note}\n`);
  };
  return new Promise((resolve) => {
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (code: number): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onKey);
      resolve(code);
    };
    const onKey = (key: string): void => {
      if (key === 'q' || key === '\u0003') return finish(0);
      if (key === 'r') {
        actions.length = 0;
        replay();
        note = 'restarted';
      } else if (key === 'z') {
        if (actions.pop() !== undefined) replay();
        note = 'undone';
      } else {
        const dir = KEYS[key];
        if (dir !== undefined && !env.done) {
          actions.push(dir);
          const r = env.step(dir);
          total += r.reward;
          note = r.success ? 'solved! q to quit, r to restart' : r.done ? 'out of steps: z to undo, r to restart' : `${dir}: ${r.reward.toFixed(1)}`;
        }
      }
      draw();
    };
    stdin.on('data', onKey);
    draw();
  });
}

const SUBCOMMANDS: Readonly<Record<string, (args: readonly string[], io: SokobanIo) => Promise<number>>> = {
  generate: cmdGenerate,
  stats: cmdStats,
  solve: cmdSolve,
  render: cmdRender,
  play: cmdPlay,
};

/** Runs a subcommand against `io` (tests pass their own). */
export async function runSokoban(args: readonly string[], io: SokobanIo = processIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const run = SUBCOMMANDS[sub];
  if (run === undefined) {
    io.err(`pipe sokoban: unknown subcommand '${sub}'\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    if (isInputError(e)) {
      io.err(`pipe sokoban ${sub}: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

/** `pipe sokoban …` (it parses its own subcommands' arguments). */
export const spec = defineCommand({
  name: 'sokoban',
  group: 'Tasks and models',
  rank: 1,
  summary: 'levels, optimal solvers (BFS, A*), rendering, interactive play',
  passThrough: { subcommands: Object.keys(SUBCOMMANDS), usage: USAGE },
  action: (args, _opts, ctx) => {
    if (ctx.out !== undefined) return runSokoban(args, { ...processIo, out: ctx.out, err: ctx.err ?? processIo.err });
    // `pipe sokoban generate … | head` closes the pipe early: stop quietly instead of an EPIPE stack trace.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
    return runSokoban(args);
  },
});
