/**
 * Stopping `pipe worker` and losing Redis, with real worker processes against a redis-server of this file's own
 * (one it can stop): SIGTERM/Ctrl-C ends a worker promptly with exit 0 and hands its running node straight back to
 * the queue, where another worker finishes it; a second signal quits at once (130); Redis going away mid-run ends
 * the driver and the worker with one clear line each after PIPE_REDIS_RETRY_S, leaving nothing in the store.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { ensureCliBuilt } from '../build-cli.js';
import { exitWithin, leftovers, longNode, pipe, rows, startWorker, until } from './harness.js';
import type { WorkerProcess } from './harness.js';
import { privateRedis } from './services.js';
import type { Service } from './services.js';

const redisReady = await privateRedis();
if ('skip' in redisReady) console.warn(`\n*** SKIPPING the worker stop tests: ${redisReady.skip} ***\n`);

describe.skipIf('skip' in redisReady)('pipe worker: stopping, and losing Redis', () => {
  const redis = redisReady as Service;
  const started: WorkerProcess[] = [];
  let work: string;
  const worker = async (name: string, env: Record<string, string> = {}): Promise<WorkerProcess> => {
    const w = await startWorker(redis.url, join(work, name), { cpus: 1, env });
    started.push(w);
    return w;
  };
  /** A directory with p.yaml: one long node, its own key (the mark's path is a param). */
  const longPipeline = (name: string): { dir: string; mark: string } => {
    const dir = join(work, name);
    mkdirSync(dir);
    const mark = join(dir, 'mark');
    writePipeline(dir, longNode(mark));
    return { dir, mark };
  };
  const running = (ws: WorkerProcess[]): WorkerProcess | undefined => ws.find((w) => w.log().includes('long: started'));
  beforeAll(async () => {
    await ensureCliBuilt();
    work = tempDir('pipe-worker-stop-');
  }, 300_000);
  afterAll(() => {
    for (const w of started) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    redis.stop();
  });

  it('SIGTERM mid-node: exit 0 within seconds, the node goes back to the queue and another worker finishes it; an idle worker stops on Ctrl-C', async () => {
    const { dir, mark } = longPipeline('term');
    const [a, b] = (await Promise.all([worker('a'), worker('b')])) as [WorkerProcess, WorkerProcess];
    const run = pipe(['run', 'p.yaml', '--store', 'st', '--executor', redis.url], dir);
    await until(() => existsSync(mark) && running([a, b]) !== undefined, 'the node to start');
    const victim = running([a, b]) as WorkerProcess;
    const other = victim === a ? b : a;
    victim.child.kill('SIGTERM');
    expect(await exitWithin(victim, 10_000), victim.log()).toBe(0);
    expect(victim.log()).toContain('long: stopped; back to the queue');
    const r = await run;
    expect(r.code, r.err).toBe(0);
    const store = join(dir, 'st');
    const ran = rows(store).filter((x) => x.status === 'ran');
    expect(ran.map((x) => [x.node_id, x.worker?.endsWith(`:${other.pid}`)])).toEqual([['long', true]]);
    expect(leftovers(store)).toEqual([]);
    const audit = await pipe(['audit', 'p.yaml', '--store', 'st'], dir);
    expect(audit.code, audit.out + audit.err).toBe(0);
    // The other worker is idle now but holds its queue connections: Ctrl-C stops it as promptly.
    other.child.kill('SIGINT');
    expect(await exitWithin(other, 10_000), other.log()).toBe(0);
  }, 120_000);

  it('a second signal while stopping quits at once with exit 130; the job is retried once its queue lock runs out', async () => {
    const { dir, mark } = longPipeline('twice');
    const c = await worker('c');
    const run = pipe(['run', 'p.yaml', '--store', 'st', '--executor', redis.url], dir);
    await until(() => existsSync(mark) && running([c]) !== undefined, 'the node to start');
    c.child.kill('SIGTERM');
    c.child.kill('SIGINT');
    const d = worker('d');
    expect(await exitWithin(c, 10_000), c.log()).toBe(130);
    await d;
    const r = await run;
    expect(r.code, r.err).toBe(0);
    expect(rows(join(dir, 'st')).filter((x) => x.status === 'ran')).toHaveLength(1);
  }, 120_000);

  it('Redis killed mid-run: driver and worker each say so in one line, give up after PIPE_REDIS_RETRY_S (exit 1), and leave nothing in the store', async () => {
    const own = await privateRedis();
    if ('skip' in own) throw new Error(own.skip);
    const { dir, mark } = longPipeline('lost');
    const env = { PIPE_REDIS_RETRY_S: '2' };
    const w = await startWorker(own.url, join(work, 'e'), { cpus: 1, env });
    started.push(w);
    const run = pipe(['run', 'p.yaml', '--store', 'st', '--executor', own.url], dir, env);
    await until(() => existsSync(mark) && running([w]) !== undefined, 'the node to start');
    own.stop();
    const r = await run;
    expect(r.code, r.err).toBe(1);
    const lost = `lost connection to Redis at ${own.url}`;
    expect(r.err.split('\n').filter((l) => l.includes(`pipe run: ${lost}`) && l.includes('retrying for up to 2 s'))).toHaveLength(1);
    expect(r.err).toContain(`[FAILED] long: ${lost}: unreachable for 2 s; giving up`);
    expect(await exitWithin(w, 15_000), w.log()).toBe(1);
    expect(w.log()).toContain(`pipe worker: ${lost}: unreachable for 2 s; giving up`);
    for (const log of [r.err, w.log()]) {
      expect(log).not.toContain('[ioredis]');
      expect(log).not.toMatch(/^\s+at /m); // no stack traces
    }
    const store = join(dir, 'st');
    expect(leftovers(store)).toEqual([]);
    expect(rows(store).filter((x) => x.status === 'ran')).toEqual([]);
    expect(existsSync(join(store, 'cache')) ? readdirSync(join(store, 'cache')).filter((f) => f.endsWith('.json')) : []).toEqual([]);
  }, 120_000);
});
