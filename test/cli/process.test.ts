/**
 * Process-level behaviour through the real binary (bin/pipe.js → dist/): kill -9 mid-run then a clean resume and a
 * passing audit; two concurrent runs on one store.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { ensureCliBuilt } from '../build-cli.js';
import './capture.js'; // sets PIPE_CACHE_DIR for the spawned CLIs too

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin', 'pipe.js');

beforeAll(ensureCliBuilt, 300_000);

function pipe(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string; pid: number }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => res({ code, out, err, pid: child.pid as number }));
  });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 20_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const sh = (script: string) => `[sh, -c, '${script}']`;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('kill -9 mid-run', () => {
  it('loses nothing that finished; running commands are stopped; the next run resumes from the cache; audit passes', async () => {
    const dir = tempDir();
    const mark = join(dir, 'mark');
    writePipeline(
      dir,
      `name: k
nodes:
  quick:
    kind: exec
    params: { argv: ${sh('echo quick > "$PIPE_OUT/o"')} }
    outputs: [o]
  after:
    kind: exec
    params: { argv: ${sh('cat "$PIPE_IN_q" "$PIPE_IN_q" > "$PIPE_OUT/o"')} }
    inputs: { q: quick.o }
    outputs: [o]
  long:
    kind: exec
    params:
      argv: ${sh('if [ ! -e "$MARK" ]; then echo $$ > "$MARK"; sleep 60; fi; echo long > "$PIPE_OUT/o"')}
      env: { MARK: '${mark}' }
    outputs: [o]
  last:
    kind: exec
    params: { argv: ${sh('cat "$PIPE_IN_a" "$PIPE_IN_b" > "$PIPE_OUT/o"')} }
    inputs: { a: after.o, b: long.o }
    outputs: [o]
`,
    );
    // Own process group, so kill -9 takes the node's children down with it.
    const child = spawn(process.execPath, [bin, 'run', 'p.yaml', '--jobs', '3'], { cwd: dir, detached: true, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    const nodeRuns = join(dir, 'artifacts', 'meta', 'node_runs.jsonl');
    const ran = (id: string): boolean => readFileSync(nodeRuns, 'utf8').split('\n').some((l) => l.includes(`"node_id":"${id}"`) && l.includes('"status":"ran"'));
    await until(() => existsSync(mark) && existsSync(nodeRuns) && ran('after'), 'quick and after to finish while long runs');
    process.kill(-(child.pid as number), 'SIGKILL');
    await new Promise((r) => child.on('exit', r));
    // exec commands run in their own process group; pipe's supervisor stops the running one once pipe is dead.
    await until(() => readFileSync(mark, 'utf8').trim() !== '', 'the long node to write its pid');
    const group = Number(readFileSync(mark, 'utf8').trim());
    await until(() => !groupAlive(group), 'the running command (sh and its sleep) to be stopped');
    // The killed node's lock is left behind with a dead pid.
    expect(readdirSync(join(dir, 'artifacts', 'locks')).some((f) => f.endsWith('.lock'))).toBe(true);

    // The dead run and the node it was running read as interrupted, not running forever.
    const statuses = "SELECT (SELECT string_agg(status, '/') FROM runs) || ' ' || (SELECT string_agg(node_id || ':' || status, '/' ORDER BY node_id) FROM node_runs) AS s";
    expect((await pipe(['query', statuses, '--csv'], dir)).out).toBe('s\ninterrupted after:ran/long:interrupted/quick:ran\n');

    const again = await pipe(['run', 'p.yaml', '--json'], dir);
    expect(again.code).toBe(0);
    const nodes = (JSON.parse(again.out) as { nodes: { id: string; status: string; reason: string }[] }).nodes;
    expect(nodes.map((n) => [n.id, n.status])).toEqual([
      ['quick', 'cached'],
      ['after', 'cached'],
      ['long', 'ran'],
      ['last', 'ran'],
    ]);
    expect(nodes[2]?.reason).toBe('previous attempt did not finish; rerunning');
    expect(readdirSync(join(dir, 'artifacts', 'locks')).filter((f) => f.endsWith('.lock'))).toEqual([]);

    const byRun = "SELECT string_agg(status, '/' ORDER BY started) AS s FROM runs";
    expect((await pipe(['query', byRun, '--csv'], dir)).out).toBe('s\ninterrupted/ok\n');
    // The rerun recorded the dead run as interrupted in the records themselves and removed its marker.
    const runsRows = readFileSync(join(dir, 'artifacts', 'meta', 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string });
    expect(runsRows.map((r) => r.status)).toEqual(['running', 'interrupted', 'running', 'ok']);
    expect(readdirSync(join(dir, 'artifacts', 'locks'))).toEqual([]);
    const audit = await pipe(['audit', 'p.yaml'], dir);
    expect(audit.code).toBe(0);
    expect(audit.out).toContain('audit passed: 4 nodes reproduced, 0 mismatched');
    // The rerun that took over the dead attempt's key also removed its scratch directory: nothing left for gc.
    const gc = await pipe(['gc'], dir);
    expect(gc.code).toBe(0);
    expect(gc.out).toMatch(/^nothing to delete/);
  });
});

describe('two concurrent runs on one store', () => {
  it('each node executes once; the second run waits for keys the first is computing; the store stays consistent', async () => {
    const dir = tempDir();
    const count = join(dir, 'count');
    writeFileSync(count, '');
    const nodes = Array.from({ length: 4 }, (_, i) => `  n${i}:
    kind: exec
    params:
      argv: ${sh(`echo n${i} >> "$COUNT"; sleep 6; echo ${i} > "$PIPE_OUT/o"`)}
      env: { COUNT: '${count}' }
    outputs: [o]`).join('\n');
    writePipeline(dir, `name: c\nnodes:\n${nodes}\n  sum:\n    kind: exec\n    params: { argv: ${sh('cat "$PIPE_IN_a" "$PIPE_IN_b" > "$PIPE_OUT/o"')} }\n    inputs: { a: n0.o, b: n3.o }\n    outputs: [o]\n`);
    // The second run starts once the first is computing all four keys, so it must wait for them (each takes 6 s, so a
    // loaded machine still starts the second pipe process within that window).
    const first = pipe(['run', 'p.yaml', '--jobs', '4'], dir);
    await until(() => readFileSync(count, 'utf8').trim().split('\n').length === 4, 'the first run to start all nodes');
    const [a, b] = await Promise.all([first, pipe(['run', 'p.yaml', '--jobs', '4'], dir)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const executions = readFileSync(count, 'utf8').trim().split('\n').sort();
    expect(executions).toEqual(['n0', 'n1', 'n2', 'n3']);
    expect(a.err + b.err).toMatch(/\[wait\] n\d: waiting for pid \d+, which is computing the same key/);
    expect(a.err + b.err).toContain('cache hit (computed by a concurrent run)');
    const third = await pipe(['run', 'p.yaml', '--json'], dir);
    expect((JSON.parse(third.out) as { nodes: { status: string }[] }).nodes.every((n) => n.status === 'cached')).toBe(true);
    // Every stored object still hashes to its name (re-executing only the cheap node).
    expect((await pipe(['audit', 'p.yaml', '--node', 'sum'], dir)).code).toBe(0);
    const q = await pipe(['query', "SELECT count(*) AS n FROM node_runs WHERE status = 'ran'", '--csv'], dir);
    expect(q.out).toBe('n\n5\n');
  });
});

describe('SIGINT and SIGTERM', () => {
  it.each([
    ['SIGINT', 130, 'interrupted'],
    ['SIGTERM', 143, 'terminated (SIGTERM)'],
  ] as const)('%s cancels running nodes (their children too), keeps what finished, exits %i; the next run resumes', async (signal, exitCode, said) => {
    const dir = tempDir();
    writePipeline(
      dir,
      `name: s
nodes:
  done:
    kind: exec
    params: { argv: ${sh('echo ok > "$PIPE_OUT/o"')} }
    outputs: [o]
  long:
    kind: exec
    params:
      argv: ${sh('echo $$ > "$PIDF"; sleep 60; echo x > "$PIPE_OUT/o"')}
      env: { PIDF: '${join(dir, 'pid')}' }
    outputs: [o]
`,
    );
    const child = spawn(process.execPath, [bin, 'run', 'p.yaml', '--json'], { cwd: dir, env: { ...process.env, CI: 'true' } });
    let err = '';
    let out = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => (out += d));
    await until(() => err.includes('[done] done') && err.includes('[run] long'), 'long to start');
    await sleep(200);
    const t0 = Date.now();
    child.kill(signal);
    const code = await new Promise((r) => child.on('close', r));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(code).toBe(exitCode);
    expect(err).toContain(`pipe run: ${said}; cancelling running nodes`);
    // The command's process group is gone (sh and its sleep).
    const pgid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    await until(() => !groupAlive(pgid), 'the command group to exit');
    expect(JSON.parse(out).nodes.map((n: { id: string; status: string; reason: string }) => [n.id, n.status, n.reason])).toEqual([
      ['done', 'ran', 'no previous run'],
      ['long', 'failed', 'not run: cancelled: interrupted'],
    ]);
    const again = await pipe(['plan', 'p.yaml'], dir);
    expect(again.out).toMatch(/cached +done/);
    expect(again.out).toMatch(/will run long/);
  });
});
