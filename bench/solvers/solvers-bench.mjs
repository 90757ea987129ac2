// Sokoban solver and generator figures. Run: npm run build && node bench/solvers/solvers-bench.mjs [--quick]
// Prints, in one run: levels solved per second by pipe's BFS and A* and by a plain Python reimplementation of
// RAGEN's get_shortest_action_path (bench/solvers/ragen_bfs.py) on the same 1,000 generated 6x6 one-box levels,
// whether their labels agree, A*'s solve rate and median time on 10x10 levels with 2, 3 and 4 boxes, and the
// generator's level statistics. Wall-clock on a noisy shared machine: compare figures within one run.
// Optional: --collection FILE (an XSB level collection, e.g. Microban) adds A* and BFS on every level of it.
// Per-level figures, other caps and time limits on a collection: bench/solvers/astar-collection.mjs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../../dist/util/rng.js';
import { generateLevel, parseLevel, solveAstar, solveBfs, splitCollection, DIRECTIONS } from '../../dist/nodes/sokoban/api.js';
import { generateRoom } from '../../dist/nodes/sokoban/generator.js';
import { levelStats } from '../../dist/cli/commands/sokoban.js';

const quick = process.argv.includes('--quick');
const N = 1000;
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** RAGEN's integer room encoding of a level. */
function ragenRooms(level) {
  const fixed = [];
  const state = [];
  const boxes = new Set(level.boxes);
  for (let r = 0; r < level.rows; r++) {
    const fr = [];
    const sr = [];
    for (let c = 0; c < level.cols; c++) {
      const i = r * level.cols + c;
      const f = level.walls[i] ? 0 : level.targets[i] ? 2 : 1;
      fr.push(f);
      sr.push(i === level.player ? 5 : boxes.has(i) ? (f === 2 ? 3 : 4) : f);
    }
    fixed.push(fr);
    state.push(sr);
  }
  return { room_fixed: fixed, room_state: state };
}

// 1. The 1,000 levels.
let t0 = performance.now();
const levels = [];
for (let seed = 0; seed < N; seed++) levels.push(generateLevel({ size: [6, 6], boxes: 1, seed }));
const genMs = performance.now() - t0;
console.log(`generated ${N} 6x6 one-box levels (seeds 0..${N - 1}) in ${(genMs / 1000).toFixed(2)} s`);
const stats = levelStats(levels);
console.log(
  `  mean optimal ${stats.meanOptimal.toFixed(2)} moves (median ${stats.medianOptimal}, max ${stats.maxOptimal}), ` +
    `wall density ${pct(stats.wallDensity)} (interior ${pct(stats.interiorWallDensity)}), ` +
    `mean floor cells ${stats.meanFloorCells.toFixed(1)}, retried seeds ${pct(stats.retriedFraction)}`,
);

// 2. Solvers side by side.
function timeSolver(name, solve, reps) {
  let best = Infinity;
  let out;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    out = levels.map((g) => solve(g.level));
    best = Math.min(best, performance.now() - t);
  }
  const expanded = out.reduce((s, x) => s + x.expanded, 0) / out.length;
  console.log(`  ${name.padEnd(28)} ${(N / (best / 1000)).toFixed(0).padStart(8)} levels/s   (${(best / N).toFixed(3)} ms/level, mean expanded ${expanded.toFixed(1)})`);
  return out;
}
console.log(`\nsolvers on the same ${N} levels (best of 3 runs for pipe):`);
const bfs = timeSolver('pipe BFS', (l) => solveBfs(l), 3);
const astar = timeSolver('pipe A*', (l) => solveAstar(l), 3);
const dir = mkdtempSync(join(tmpdir(), 'pipe-solvers-'));
try {
  const file = join(dir, 'levels.jsonl');
  writeFileSync(file, levels.map((g) => JSON.stringify(ragenRooms(g.level))).join('\n') + '\n');
  const py = JSON.parse(execFileSync('python3', [new URL('./ragen_bfs.py', import.meta.url).pathname, file], { maxBuffer: 1 << 28 }).toString());
  console.log(`  ${'Python RAGEN BFS (numpy)'.padEnd(28)} ${(py.levels / py.seconds).toFixed(0).padStart(8)} levels/s   (${((1000 * py.seconds) / py.levels).toFixed(3)} ms/level)`);
  const lenAgree = levels.filter((_, i) => bfs[i].actions.length === py.lengths[i] && astar[i].actions.length === py.lengths[i]).length;
  const labelAgree = levels.filter((_, i) => bfs[i].actions.map((d) => DIRECTIONS.indexOf(d) + 1).join() === py.actions[i].join()).length;
  console.log(`  optimal lengths equal (pipe BFS = pipe A* = RAGEN): ${lenAgree}/${N}; BFS action labels identical to RAGEN's: ${labelAgree}/${N}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// 3. A* on 10x10 rooms with 2, 3, 4 boxes (raw generator rooms: reverse-played, so solvable; no length filter),
// with the paper's reverse-play depth (30) and gym-sokoban's default (100, longer and harder levels).
const perBoxes = quick ? 10 : 50;
for (const depth of [30, 100]) {
  console.log(`\nA* on ${perBoxes} raw generated 10x10 rooms per box count, reverse-play depth ${depth} (limit 2,000,000 expansions):`);
  for (const boxes of [2, 3, 4]) {
    const rng = new Rng(1000 * depth + boxes);
    const times = [];
    const lengths = [];
    let solved = 0;
    let tried = 0;
    let expanded = 0;
    while (tried < perBoxes) {
      const level = generateRoom(rng, 10, 10, boxes, depth);
      if (level === null) continue;
      tried++;
      t0 = performance.now();
      const r = solveAstar(level, { maxExpansions: 2_000_000 });
      times.push(performance.now() - t0);
      expanded += r.expanded;
      if (r.solvable) {
        solved++;
        lengths.push(r.actions.length);
      }
    }
    console.log(
      `  ${boxes} boxes: solved ${solved}/${tried} (${pct(solved / tried)}), median ${median(times).toFixed(2)} ms, ` +
        `max ${Math.max(...times).toFixed(1)} ms, mean expanded ${(expanded / tried).toFixed(0)}, ` +
        `mean optimal ${(lengths.reduce((s, x) => s + x, 0) / lengths.length).toFixed(1)} moves (max ${Math.max(...lengths)})`,
    );
  }
}

// 4. Generator statistics per paper split shape, beside a Python reimplementation of RAGEN's generator
// (bench/solvers/ragen_gen.py; different RNG, so compare distributions).
const n = quick ? 100 : 300;
console.log(`\ngenerator statistics (${n} levels each, seeds 0..; RAGEN reference: ${n / 2} levels):`);
for (const [size, boxes] of [[6, 1], [6, 2], [10, 1], [10, 2]]) {
  t0 = performance.now();
  const ls = [];
  for (let seed = 0; seed < n; seed++) ls.push(generateLevel({ size: [size, size], boxes, seed }));
  const s = levelStats(ls);
  console.log(
    `  ${size}x${size} ${boxes} box(es): mean optimal ${s.meanOptimal.toFixed(2)}, median ${s.medianOptimal}, max ${s.maxOptimal}, ` +
      `wall density ${pct(s.wallDensity)}, retried ${pct(s.retriedFraction)}, ${((performance.now() - t0) / n).toFixed(2)} ms/level`,
  );
  const ref = JSON.parse(
    execFileSync('python3', [new URL('./ragen_gen.py', import.meta.url).pathname, String(size), String(size), String(boxes), String(n / 2)]).toString(),
  );
  console.log(`    RAGEN reference (Python): mean optimal ${ref.meanOptimal.toFixed(2)}, wall density ${pct(ref.wallDensity)}, failed seeds ${ref.failures}`);
}

// 5. A real level collection, if given.
const at = process.argv.indexOf('--collection');
if (at > 0 && process.argv[at + 1] !== undefined) {
  const file = process.argv[at + 1];
  const parts = splitCollection(readFileSync(file, 'utf8'));
  const run = (name, solve) => {
    const t = performance.now();
    const rs = parts.map((p) => solve(parseLevel(p.text)));
    console.log(`  ${name.padEnd(26)} solved ${rs.filter((r) => r.solvable).length}/${parts.length} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return rs;
  };
  console.log(`\ncollection ${file} (${parts.length} levels):`);
  const a = run('A* (100,000 expansions)', (l) => solveAstar(l, { maxExpansions: 100_000 }));
  const b = run('BFS (500,000 expansions)', (l) => solveBfs(l, { maxExpansions: 500_000 }));
  const both = a.filter((r, i) => r.solvable && b[i].solvable);
  const same = a.filter((r, i) => r.solvable && b[i].solvable && r.actions.length === b[i].actions.length);
  console.log(`  optimal lengths equal where both finished: ${same.length}/${both.length}`);
}
