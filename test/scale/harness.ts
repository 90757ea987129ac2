/**
 * Shared by the scale-out tests: the built CLI, a wide exec DAG and its local-run results to compare against, and
 * readers of what a store recorded.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
