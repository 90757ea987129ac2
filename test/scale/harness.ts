/**
 * Shared by the scale-out tests: the built CLI, a wide exec DAG and its local-run results to compare against, and
 * readers of what a store recorded.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureCliBuilt } from '../build-cli.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import '../cli/capture.js'; // PIPE_CACHE_DIR for the spawned CLIs

export const root = resolve(import.meta.dirname, '../..');
export const bin = join(root, 'bin', 'pipe.js');

export interface Done {
  code: number | null;
  out: string;
  err: string;
}

export function pipe(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Done> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => res({ code, out, err }));
  });
}

/** A `pipe` command still running: its stderr so far, and its end. */
export interface Live {
  readonly child: ChildProcess;
  err(): string;
  readonly done: Promise<Done>;
}

/** Starts `pipe args` and returns at once (for watching what it says while it runs). */
export function pipeLive(args: string[], cwd: string, env: Record<string, string> = {}): Live {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<Done>((res) => child.on('close', (code) => res({ code, out, err })));
  return { child, err: () => err, done };
}

export async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A wide exec DAG: one source, four parallel nodes over a matrix, one gather. Outputs depend on seed and inputs. */
export const WIDE = `name: wide
nodes:
  src:
    kind: exec
    params: { argv: [sh, -c, 'echo "src $PIPE_SEED" > "$PIPE_OUT/o"'] }
    outputs: [o]
  mid:
    kind: exec
    matrix: { env.I: ['1', '2', '3', '4'] }
    params: { argv: [sh, -c, 'cat "$PIPE_IN_s"; echo "mid $I $PIPE_SEED" > "$PIPE_OUT/o"; cat "$PIPE_IN_s" >> "$PIPE_OUT/o"'] }
    inputs: { s: src.o }
    outputs: [o]
  all:
    kind: exec
    params: { argv: [sh, -c, 'cat "$PIPE_IN_x"/* > "$PIPE_OUT/o"'] }
    inputs: { x: 'mid[*].o' }
    outputs: [o]
`;

export interface Row {
  node_id: string;
  status: string;
  cache_key: string | null;
  executor?: string | null;
  worker?: string | null;
  queue_wait_s?: number | null;
  run_id: string;
}

export function rows(store: string): Row[] {
  const f = join(store, 'meta', 'node_runs.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row) : [];
}

/** node id → [cache key, output digests] of the last successful row of each node. */
export function results(store: string): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {};
  for (const r of rows(store)) {
    if ((r.status !== 'ran' && r.status !== 'cached') || r.cache_key === null) continue;
    const entry = JSON.parse(readFileSync(join(store, 'cache', `${r.cache_key}.json`), 'utf8')) as { outputs: Record<string, { digest: string }> };
    out[r.node_id] = [r.cache_key, Object.values(entry.outputs).map((a) => a.digest).join(',')];
  }
  return out;
}

/** What a finished run must not leave behind: locks, attempt scratch directories, job files. */
export function leftovers(store: string): string[] {
  const list = (d: string): string[] => (existsSync(join(store, d)) ? readdirSync(join(store, d)).map((f) => `${d}/${f}`) : []);
  return [...list('locks'), ...list('jobs'), ...list('tmp').filter((f) => f.includes('attempt'))];
}

export const ranIn = (store: string, runId: string): string[] => rows(store).filter((r) => r.run_id === runId && r.status === 'ran').map((r) => r.node_id);
export const lastRun = (store: string): string => (rows(store).at(-1) as Row).run_id;

/**
 * A fresh work directory with wide.yaml, after a local run of it into `<work>/local`: returns the directory and the
 * local run's results (node id → [cache key, output digests]).
 */
export async function wideBaseline(): Promise<{ work: string; local: Record<string, [string, string]> }> {
  await ensureCliBuilt();
  const work = tempDir('pipe-scale-');
  writePipeline(work, WIDE, 'wide.yaml');
  const r = await pipe(['run', 'wide.yaml', '--store', 'local'], work);
  if (r.code !== 0) throw new Error(`local run failed: ${r.err}`);
  return { work, local: results(join(work, 'local')) };
}

/** A `pipe worker` process: its log so far, and its exit code once it exits. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  log(): string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts `pipe worker` as its own "machine" under `dir` (own HOME, TMPDIR and cache directory) and waits until it
 * serves the queue.
 */
export async function startWorker(redis: string, dir: string, opts: { cpus?: number; env?: Record<string, string> } = {}): Promise<WorkerProcess> {
  for (const d of ['home', 'tmp', 'cache']) mkdirSync(join(dir, d), { recursive: true });
  const child = spawn(process.execPath, [bin, 'worker', '--redis', redis, '--cpus', String(opts.cpus ?? 2)], {
    cwd: dir,
    env: { ...process.env, HOME: join(dir, 'home'), TMPDIR: join(dir, 'tmp'), PIPE_CACHE_DIR: join(dir, 'cache'), PIPE_QUEUE_LEASE_S: '2', ...opts.env },
  });
  let log = '';
  child.stderr?.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  await until(() => log.includes('pipe worker') || child.exitCode !== null, 'a worker to start');
  if (child.exitCode !== null) throw new Error(`pipe worker exited ${child.exitCode}: ${log}`);
  return { child, pid: child.pid as number, log: () => log, exited };
}

/**
 * A one-node pipeline whose first attempt blocks for a minute (until killed) and whose next attempt finishes at once;
 * `resources` (YAML flow map) is the node's, if given.
 */
export function longNode(mark: string, resources?: string): string {
  return `name: k
nodes:
  long:
    kind: exec
    params:
      argv: [sh, -c, 'if [ ! -e "$MARK" ]; then touch "$MARK"; sleep 60; fi; echo long > "$PIPE_OUT/o"']
      env: { MARK: '${mark}' }
    outputs: [o]
${resources !== undefined ? `    resources: ${resources}\n` : ''}`;
}

/** The processes under `pid` (children, their children, …), from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  const found: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) if (pp === p) (found.push(child), walk(child));
  };
  walk(pid);
  return found;
}

/**
 * Kills a process as a machine dying would: SIGKILL to it and to the processes it started (which on a real machine
 * die with it, and here would linger as orphans).
 */
export function killMachine(pid: number): void {
  const signal = (p: number, s: NodeJS.Signals): void => {
    try {
      process.kill(p, s);
    } catch {
      /* already gone */
    }
  };
  // Freeze the tree first (a stopped process cannot fork), until no new process appears, then kill all of it.
  const frozen = new Set<number>([pid]);
  signal(pid, 'SIGSTOP');
  for (let fresh = descendants(pid); fresh.some((p) => !frozen.has(p)); fresh = descendants(pid)) {
    for (const p of fresh) if (!frozen.has(p)) (frozen.add(p), signal(p, 'SIGSTOP'));
  }
  for (const p of frozen) signal(p, 'SIGKILL');
}

/** Resolves with the exit code, or with 'still running' after `ms`. */
export function exitWithin(w: WorkerProcess, ms: number): Promise<number | null | 'still running'> {
  return Promise.race([w.exited, sleep(ms).then(() => 'still running' as const)]);
}
