/**
 * The Redis (BullMQ) worker pool through the real binary against a real redis-server: two workers, each its own
 * "machine" (own HOME, TMPDIR and cache directory). Same keys and bytes as a local run; a worker killed mid-node
 * loses nothing; two drivers share a store; an unreachable Redis is refused before anything is written.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePipeline } from '../engine/fixtures/helpers.js';
import { killMachine, lastRun, leftovers, longNode, pipe, ranIn, results, rows, startWorker as startWorkerIn, until, wideBaseline } from './harness.js';
import type { WorkerProcess } from './harness.js';
import { redisService } from './services.js';
import type { Service } from './services.js';

let work: string;
let localResults: Record<string, [string, string]>;
beforeAll(async () => {
  ({ work, local: localResults } = await wideBaseline());
}, 300_000);

const redisReady = await redisService();
if ('skip' in redisReady) console.warn(`\n*** SKIPPING the Redis worker-pool tests: ${redisReady.skip} ***\n`);

describe.skipIf('skip' in redisReady)('redis worker pool', () => {
  const redis = redisReady as Service;
  const workers: WorkerProcess[] = [];
  let machines = 0;
  const startWorker = async (): Promise<void> => {
    workers.push(await startWorkerIn(redis.url, join(work, `machine-${machines++}`)));
  };
  beforeAll(async () => {
    await Promise.all([startWorker(), startWorker()]);
  }, 120_000);
  afterAll(() => {
    for (const w of workers) w.child.kill('SIGKILL');
    redis.stop();
  });

  it('the wide DAG gives the same keys and bytes as a local run; both workers take jobs; a rerun executes nothing', async () => {
    const store = join(work, 'redis');
    const r = await pipe(['run', 'wide.yaml', '--store', store, '--executor', redis.url], work);
    expect(r.code, r.err).toBe(0);
    expect(results(store)).toEqual(localResults);
    const ran = rows(store).filter((x) => x.status === 'ran');
    expect(ran).toHaveLength(6);
    expect(new Set(ran.map((x) => x.executor))).toEqual(new Set(['redis']));
    expect(ran.every((x) => typeof x.queue_wait_s === 'number' && x.queue_wait_s >= 0)).toBe(true);
    // Both "machines" executed nodes (the four parallel ones cannot all fit on one 2-slot worker).
    expect(new Set(ran.map((x) => x.worker)).size).toBe(2);
    expect(leftovers(store)).toEqual([]);
    const again = await pipe(['run', 'wide.yaml', '--store', store, '--executor', redis.url], work);
    expect(again.code, again.err).toBe(0);
    expect(ranIn(store, lastRun(store))).toEqual([]);
  });

  it('kill -9 of a worker mid-node: the job is retried on the other worker, nothing is left behind, query sees the run in flight, audit passes', async () => {
    const dir = join(work, 'kill');
    mkdirSync(dir);
    const mark = join(dir, 'mark');
    writePipeline(dir, longNode(mark));
    const run = pipe(['run', 'p.yaml', '--store', 'st', '--executor', redis.url], dir);
    await until(() => existsSync(mark), 'the node to start');
    const victim = workers.find((w) => w.log().includes('long: started'));
    expect(victim).toBeDefined();
    // The run is in flight: pipe query shows the node running on that worker.
    const q = await pipe(['query', "SELECT node_id, executor, worker FROM node_runs WHERE status = 'running'", '--store', 'st', '--json'], dir);
    expect(q.code, q.err).toBe(0);
    expect(q.out).toContain('"executor":"redis"');
    killMachine(victim?.pid as number);
    const r = await run;
    expect(r.code, r.err).toBe(0);
    const store = join(dir, 'st');
    const ran = rows(store).filter((x) => x.status === 'ran');
    expect(ran).toHaveLength(1);
    expect(ran[0]?.worker?.endsWith(`:${victim?.pid}`)).toBe(false); // finished by the surviving worker
    expect(leftovers(store)).toEqual([]);
    expect(existsSync(join(store, 'resume'))).toBe(true);
    expect(readdirSync(join(store, 'resume'))).toEqual([]);
    const audit = await pipe(['audit', 'p.yaml', '--store', 'st'], dir);
    expect(audit.code, audit.out + audit.err).toBe(0);
    workers.splice(workers.indexOf(victim as (typeof workers)[number]), 1);
    await startWorker();
  }, 120_000);

  it('two drivers on one store at once (one local, one on the pool): both succeed, no key runs twice, audit passes', async () => {
    const dir = join(work, 'two');
    mkdirSync(dir);
    writePipeline(
      dir,
      `name: two
nodes:
  a:
    kind: exec
    params: { argv: [sh, -c, 'sleep 1; echo a > "$PIPE_OUT/o"'] }
    outputs: [o]
  b:
    kind: exec
    params: { argv: [sh, -c, 'sleep 1; echo b > "$PIPE_OUT/o"'] }
    outputs: [o]
  c:
    kind: exec
    params: { argv: [sh, -c, 'cat "$PIPE_IN_a" "$PIPE_IN_b" > "$PIPE_OUT/o"'] }
    inputs: { a: a.o, b: b.o }
    outputs: [o]
`,
    );
    const [l, d] = await Promise.all([pipe(['run', 'p.yaml', '--store', 'st'], dir), pipe(['run', 'p.yaml', '--store', 'st', '--executor', redis.url], dir)]);
    expect(l.code, l.err).toBe(0);
    expect(d.code, d.err).toBe(0);
    const ran = rows(join(dir, 'st')).filter((x) => x.status === 'ran');
    expect(ran.map((x) => x.node_id).sort()).toEqual(['a', 'b', 'c']); // each key executed once, by one of them
    const audit = await pipe(['audit', 'p.yaml', '--store', 'st'], dir);
    expect(audit.code, audit.out + audit.err).toBe(0);
  }, 120_000);

  it('an unreachable Redis is refused before anything is written (exit 2)', async () => {
    const r = await pipe(['run', 'wide.yaml', '--store', 'nowhere', '--executor', 'redis://127.0.0.1:1'], work);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\)/);
    expect(existsSync(join(work, 'nowhere'))).toBe(false);
    const w = await pipe(['worker', '--redis', 'redis://127.0.0.1:1'], work);
    expect(w.code).toBe(2);
    expect(w.err).toContain('cannot reach Redis');
  });
});

