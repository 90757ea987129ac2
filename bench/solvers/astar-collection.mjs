// A* (or BFS) on a real XSB level collection (e.g. Microban, XSokoban), one level at a time with caps, printing
// per-level status, optimal length, expansions, time, A*'s node count and array bytes, then totals.
// Run: npm run build && node bench/solvers/astar-collection.mjs FILE [--solver astar|bfs] [--max-expansions N]
//        [--time-limit SECONDS (A* only)] [--levels 1-50] [--check-bfs N] [--quiet] [--json OUT]
// Level files are not shipped with pipe (third-party licences). Microban (David Skinner, free for non-commercial
// use) and XSokoban's 90 levels are in many public repositories as .txt/.xsb/.sok files; any XSB collection with
// levels separated by blank or `;` title lines works.
// --check-bfs N: also runs BFS (N expansions cap) and reports whether both found the same optimal length.
// Env PIPE_DIST=dir points the bench at another build (to compare before/after builds on the same inputs).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    solver: { type: 'string', default: 'astar' },
    'max-expansions': { type: 'string', default: '100000' },
    'time-limit': { type: 'string' },
    levels: { type: 'string' },
    'check-bfs': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const file = positionals[0];
if (file === undefined) {
  console.error('usage: node bench/solvers/astar-collection.mjs FILE [--solver astar|bfs] [--max-expansions N] [--levels A-B]');
  process.exit(2);
}
const dist = process.env.PIPE_DIST ? resolve(process.env.PIPE_DIST) : new URL('../../dist', import.meta.url).pathname;
const api = await import(pathToFileURL(`${dist}/nodes/sokoban/api.js`).href);
const maxExpansions = Number(values['max-expansions']);
const solve = values.solver === 'bfs' ? api.solveBfs : api.solveAstar;
let parts = api.splitCollection(readFileSync(file, 'utf8'));
if (values.levels) {
  const [a, b] = values.levels.split('-').map(Number);
  parts = parts.slice(a - 1, b ?? a);
}
const rows = [];
let solved = 0;
let totalMs = 0;
let totalExpanded = 0;
let peakHeap = 0;
for (const [i, p] of parts.entries()) {
  const level = api.parseLevel(p.text);
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const t = performance.now();
  let stats;
  const r = solve(level, {
    maxExpansions,
    timeLimitMs: values['time-limit'] ? Number(values['time-limit']) * 1000 : undefined,
    onStats: (x) => (stats = x),
  });
  const ms = performance.now() - t;
  const mem = process.memoryUsage();
  peakHeap = Math.max(peakHeap, mem.heapUsed + mem.arrayBuffers - before);
  totalMs += ms;
  totalExpanded += r.expanded;
  if (r.solvable) solved++;
  const row = { index: i + 1, line: p.line, boxes: level.boxes.length, status: r.status, length: r.actions.length, expanded: r.expanded, ms: Math.round(ms) };
  if (stats !== undefined) Object.assign(row, { nodes: stats.nodes, dominated: stats.dominated, arrayMB: +(stats.bytes / 2 ** 20).toFixed(1) });
  if (values['check-bfs']) {
    const b = api.solveBfs(level, { maxExpansions: Number(values['check-bfs']) });
    row.bfs = b.status === 'solved' ? b.actions.length : b.status;
    if (b.status !== 'limit' && r.status !== 'limit' && (b.status !== r.status || b.actions.length !== r.actions.length)) {
      console.error(`MISMATCH level ${i + 1}: ${values.solver} ${r.status}/${r.actions.length}, bfs ${b.status}/${b.actions.length}`);
      process.exitCode = 1;
    }
  }
  rows.push(row);
  if (!values.quiet) console.log(JSON.stringify(row));
}
console.log(
  `${values.solver} on ${file}: solved ${solved}/${parts.length} (cap ${maxExpansions} expansions${values['time-limit'] ? `, ${values['time-limit']} s` : ''}) in ${(totalMs / 1000).toFixed(1)} s, ` +
    `total expanded ${totalExpanded}, largest per-level memory growth ${(peakHeap / 2 ** 20).toFixed(0)} MB`,
);
if (values.json) writeFileSync(values.json, JSON.stringify(rows) + '\n');
