/**
 * `pipe run --executor redis://… --worker-timeout S` against a real redis-server: with no worker at all, and with the
 * only worker killed mid-node, the run fails (exit 1) once no live worker has served the queue for S seconds, says
 * so and how to start one, and leaves no job on the queue for a worker that starts later.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt } from '../build-cli.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { PREFIX, queueName } from '../../src/engine/queue.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { capture } from '../cli/capture.js';
import { killMachine, leftovers, longNode, pipe, pipeLive, rows, startWorker, until } from './harness.js';
import type { WorkerProcess } from './harness.js';
import { privateRedis } from './services.js';
import type { PrivateRedis } from './services.js';

// A Redis of this file's own: no worker of another test file may serve its queues.
const redisReady = await privateRedis();
if ('skip' in redisReady) console.warn(`\n*** SKIPPING the --worker-timeout tests: ${redisReady.skip} ***\n`);

/** Jobs of one CPU slot still on the queue (waiting or delayed). */
async function queued(url: string): Promise<number> {
  const q = new Queue(queueName({ cpu: 1, gpu: 0 }), { connection: { url }, prefix: PREFIX });
  try {
    const c = await q.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    return Object.values(c).reduce((a, b) => a + b, 0);
  } finally {
    await q.close();
  }
}

describe('pipe run --worker-timeout: bad values', () => {
  it('a value that is not a positive number, or no Redis executor, is a usage error (exit 2) with nothing written', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, longNode(join(dir, 'mark')));
    for (const [args, message] of [
      [['--worker-timeout', '0', '--executor', 'redis://127.0.0.1:1'], "--worker-timeout must be a positive number of seconds, got '0'"],
      [['--worker-timeout', 'soon', '--executor', 'redis://127.0.0.1:1'], "--worker-timeout must be a positive number of seconds, got 'soon'"],
      [['--worker-timeout', '5'], '--worker-timeout needs --executor redis://HOST:PORT'],
      [['--worker-timeout', '5', '--executor', 'slurm'], '--worker-timeout needs --executor redis://HOST:PORT'],
    ] as const) {
      const r = await capture(runCommand, [file, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toBe(`pipe run: ${message}\n`);
    }
    expect(existsSync(join(dir, 'artifacts'))).toBe(false);
  });
});

describe.skipIf('skip' in redisReady)('pipe run --worker-timeout', () => {
  const redis = redisReady as PrivateRedis;
  const started: WorkerProcess[] = [];
  let work: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    work = tempDir('pipe-worker-timeout-');
  }, 300_000);
  afterAll(() => {
    for (const w of started) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    redis.stop();
  });

  it('no worker at all: fails after the timeout with exit 1, names the queue and the command to start one, leaves no job queued', async () => {
    const dir = join(work, 'none');
    mkdirSync(dir);
    const mark = join(dir, 'mark');
    writePipeline(dir, longNode(mark));
    const t0 = performance.now();
    const r = await pipe(['run', 'p.yaml', '--store', 'st', '--executor', redis.url, '--worker-timeout', '2'], dir, { PIPE_QUEUE_LEASE_S: '30' });
    const seconds = (performance.now() - t0) / 1000;
    expect(r.code, r.err).toBe(1);
    expect(seconds).toBeLessThan(15);
    expect(r.err).toContain(`no pipe worker has been serving ${redis.url} for 2 s (--worker-timeout 2); start one with: pipe worker --redis ${redis.url}`);
    expect(rows(join(dir, 'st')).filter((x) => x.status === 'failed').map((x) => x.node_id)).toEqual(['long']);
    expect(await queued(redis.url)).toBe(0);
    // A worker that starts now finds nothing to do: the node never runs.
    const w = await startWorker(redis.url, join(work, 'late'), { cpus: 1 });
    started.push(w);
    await sleep(3000);
    expect(existsSync(mark)).toBe(false);
    expect(leftovers(join(dir, 'st'))).toEqual([]);
    w.child.kill('SIGKILL');
  }, 120_000);

  it('the only worker killed mid-node: the notice says when the run gives up; the node fails once the worker is gone that long', async () => {
    const dir = join(work, 'killed');
    mkdirSync(dir);
    const mark = join(dir, 'mark');
    writePipeline(dir, longNode(mark));
    const w = await startWorker(redis.url, join(work, 'victim'), { cpus: 1 });
    started.push(w);
    const run = pipeLive(['run', 'p.yaml', '--store', 'st', '--executor', redis.url, '--worker-timeout', '4'], dir, { PIPE_QUEUE_LEASE_S: '2' });
    await until(() => existsSync(mark) && w.log().includes('long: started'), 'the node to start');
    killMachine(w.pid);
    const r = await run.done;
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain(`no pipe worker has been serving ${redis.url} for 2 s; giving up after 4 s (--worker-timeout) (start it with: pipe worker --redis ${redis.url})`);
    expect(r.err).toMatch(/long: .*no pipe worker has been serving redis:\/\/127\.0\.0\.1:\d+ for 4 s \(--worker-timeout 4\)/);
    expect(rows(join(dir, 'st')).filter((x) => x.status === 'ran')).toEqual([]);
  }, 120_000);
});
