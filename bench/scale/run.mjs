#!/usr/bin/env node
/**
 * Scale-out benchmark (run after `npm run build`; needs redis-server, on PATH or given by --redis-server):
 *
 *   node bench/scale/run.mjs [--pipeline pipelines/study.yaml] [--workers 1,2,4] [--cores N] [--steps 40]
 *                            [--levels 200] [--evalset 8] [--data 1000] [--grpo-steps 2] [--tokens N] [--slurm] [--keep]
 *                            [--redis-server PATH]
 *
 * The study matrix (every method x task x seed) shrunk by --set overrides (training steps, data and evaluation-set
 * sizes, and with --tokens the evaluators' maxNewTokens) so it finishes in minutes, run on a fresh store each time:
 *   - locally with --jobs N (the baseline), then
 *   - on a Redis worker pool of W workers on this machine for each W in --workers, the N cores split between them
 *     (each worker --cpus max(1, floor(N / W)), its own HOME, TMPDIR and cache directory, as separate machines).
 *   - with --slurm, on the SLURM cluster that sbatch reaches (one batch job per node; the store must be visible to
 *     its jobs, as it is on a one-host cluster such as scripts/slurm-local.sh).
 * Prints wall time per configuration, speed-up against one worker, and whether every configuration produced the same
 * cache keys and output digests as the local run (node id -> cache key and output digests, from node_runs and the
 * store's cache entries). Plain timing: figures vary with the machine and its load.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin', 'pipe.js');
const { values } = parseArgs({
  options: {
    pipeline: { type: 'string', default: join(root, 'pipelines', 'study.yaml') },
    workers: { type: 'string', default: '1,2,4' },
    cores: { type: 'string', default: String(availableParallelism()) },
    steps: { type: 'string', default: '40' },
    levels: { type: 'string', default: '200' },
    evalset: { type: 'string', default: '8' },
    data: { type: 'string', default: '1000' },
    'grpo-steps': { type: 'string', default: '2' },
    tokens: { type: 'string' },
    slurm: { type: 'boolean' },
    keep: { type: 'boolean' },
    'redis-server': { type: 'string', default: 'redis-server' },
  },
});
const cores = Number(values.cores);
const pool = values.workers.split(',').map(Number);
const file = resolve(values.pipeline);
const work = mkdtempSync(join(tmpdir(), 'pipe-bench-scale-'));

/** --set overrides that shrink every node of the pipeline by its kind. */
function overrides() {
  const doc = parse(readFileSync(file, 'utf8'));
  const sets = [];
  for (const [id, node] of Object.entries(doc.nodes)) {
    const p = node.params ?? {};
    const set = (k, v) => sets.push('--set', `${id}.${k}=${v}`);
    if (node.kind === 'train.sft') {
      set('steps', values.steps);
      if (p.warmupSteps !== undefined) set('warmupSteps', Math.min(Number(p.warmupSteps), Math.max(1, Math.floor(Number(values.steps) / 4))));
      if (p.evalEvery !== undefined) set('evalEvery', Math.max(1, Math.floor(Number(values.steps) / 2)));
    }
    if (node.kind === 'train.grpo') set('steps', values['grpo-steps']);
    if (p.count !== undefined) set('count', node.kind === 'sokoban.levels' ? values.levels : values.data);
    if (p.perSplit !== undefined) set('perSplit', values.evalset);
    if (p.maxNewTokens !== undefined && values.tokens !== undefined) set('maxNewTokens', values.tokens);
  }
  return sets;
}

function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function run(args, env = {}) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, CI: 'true', ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`pipe ${args.slice(0, 3).join(' ')} … failed (${r.status}):\n${r.stderr.slice(-4000)}`);
  return s;
}

/** node id → cache key and output digests of a store's successful rows. */
function results(store) {
  const out = {};
  for (const line of readFileSync(join(store, 'meta', 'node_runs.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    if (r.status !== 'ran' && r.status !== 'cached') continue;
    const entry = JSON.parse(readFileSync(join(store, 'cache', `${r.cache_key}.json`), 'utf8'));
    out[r.node_id] = `${r.cache_key}:${Object.values(entry.outputs).map((a) => a.digest).join(',')}`;
  }
  return out;
}

/** Node ids whose cache key or output digests differ between two results (or that only one of them has). */
function differing(a, b) {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((id) => a[id] !== b[id]).sort();
}

// Before the (long) local run: the Redis server must start here.
const redisBin = values['redis-server'];
const version = spawnSync(redisBin, ['--version'], { encoding: 'utf8' });
if (version.error !== undefined || version.status !== 0) {
  console.error(`bench/scale: cannot run ${redisBin} (${version.error?.message ?? version.stderr.trim()}); install redis-server or pass --redis-server PATH`);
  process.exit(2);
}

/** Whether a Redis answers PING on the loopback port (no redis-cli needed). */
function ping(port) {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(1000, () => (s.destroy(), res(false)));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => (s.destroy(), res(d.toString().startsWith('+PONG'))));
    s.on('error', () => res(false));
  });
}

const sets = overrides();
console.error(`bench/scale: ${file} (${sets.length / 2} overrides), ${cores} cores, workers ${pool.join(', ')}${values.slurm ? ', SLURM' : ''}; work dir ${work}`);

const rows = [];
const localStore = join(work, 'local');
const localS = run(['run', file, '--store', localStore, '--jobs', String(cores), ...sets]);
const reference = results(localStore);
rows.push({ config: `local --jobs ${cores}`, s: localS, diff: [] });
console.error(`local: ${localS.toFixed(1)} s`);

const port = await freePort();
const redisDir = join(work, 'redis');
mkdirSync(redisDir);
const redis = spawn(redisBin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdio: ['ignore', 'pipe', 'pipe'] });
let redisLog = '';
redis.stdout.on('data', (d) => (redisLog += d));
redis.stderr.on('data', (d) => (redisLog += d));
const url = `redis://127.0.0.1:${port}`;
try {
  for (let i = 0; !(await ping(port)); i++) {
    if (redis.exitCode !== null || i > 100) throw new Error(`${redisBin} did not start on port ${port}:\n${redisLog.slice(-2000)}`);
    await sleep(100);
  }
  console.error(`Redis: ${version.stdout.trim()} at ${url}`);
  for (const w of pool) {
    const cpus = Math.max(1, Math.floor(cores / w));
    const workers = [];
    for (let i = 0; i < w; i++) {
      const m = join(work, `w${w}-machine${i}`);
      for (const d of ['home', 'tmp', 'cache']) mkdirSync(join(m, d), { recursive: true });
      const child = spawn(process.execPath, [bin, 'worker', '--redis', url, '--cpus', String(cpus)], {
        cwd: m,
        env: { ...process.env, HOME: join(m, 'home'), TMPDIR: join(m, 'tmp'), PIPE_CACHE_DIR: join(m, 'cache') },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      child.stderr.on('data', (d) => (log += d));
      workers.push({ child, log: () => log });
    }
    while (!workers.every((x) => x.log().includes('pipe worker'))) await sleep(100);
    const store = join(work, `pool-${w}`);
    try {
      const s = run(['run', file, '--store', store, '--executor', url, ...sets]);
      const diff = differing(reference, results(store));
      rows.push({ config: `${w} worker${w > 1 ? 's' : ''} x ${cpus} CPU`, s, diff });
      console.error(`${w} worker${w > 1 ? 's' : ''}: ${s.toFixed(1)} s${diff.length === 0 ? '' : ` (differs from local: ${diff.join(', ')})`}`);
    } finally {
      for (const x of workers) x.child.kill('SIGTERM');
      await Promise.all(workers.map((x) => new Promise((r) => (x.child.exitCode !== null ? r() : x.child.once('exit', r)))));
    }
  }
} finally {
  redis.kill();
}

if (values.slurm) {
  const store = join(work, 'slurm');
  const s = run(['run', file, '--store', store, '--executor', 'slurm', ...sets]);
  const diff = differing(reference, results(store));
  rows.push({ config: 'SLURM (one job per node)', s, diff });
  console.error(`SLURM: ${s.toFixed(1)} s${diff.length === 0 ? '' : ` (differs from local: ${diff.join(', ')})`}`);
}

const one = rows.find((r) => r.config.startsWith('1 worker'))?.s;
const nodes = Object.keys(reference).length;
console.log(`\n| configuration | wall time (s) | speed-up vs 1 worker | nodes with the local run's key and bytes |`);
console.log(`|---|---|---|---|`);
for (const r of rows) {
  const same = `${nodes - r.diff.length}/${nodes}${r.diff.length > 0 ? ` (differ: ${r.diff.join(', ')})` : ''}`;
  console.log(`| ${r.config} | ${r.s.toFixed(1)} | ${one ? (one / r.s).toFixed(2) : '–'} | ${same} |`);
}
if (!values.keep && existsSync(work)) rmSync(work, { recursive: true, force: true });
