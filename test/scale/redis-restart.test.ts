/**
 * What a worker pool survives, with real worker processes against a redis-server of this file's own: Redis crashing
 * and coming back empty mid-run (no persistence: every queued and running job forgotten) — the driver enqueues the
 * lost jobs again, the workers reconnect and keep serving, the run completes with the same results as a local one
 * and no node runs twice; and every worker killed — the driver says that no worker serves the queue, keeps
 * waiting, and finishes once a worker is back.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt } from '../build-cli.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { exitWithin, killMachine, leftovers, longNode, pipe, pipeLive, results, rows, startWorker, until } from './harness.js';
import type { WorkerProcess } from './harness.js';
import { privateRedis } from './services.js';
import type { PrivateRedis } from './services.js';

const redisReady = await privateRedis();
if ('skip' in redisReady) console.warn(`\n*** SKIPPING the Redis restart tests: ${redisReady.skip} ***\n`);

/** Two slow nodes (5 s the first time each runs, at once afterwards: marks under `dir`) and one that joins them. */
const slowPair = (dir: string): string => `name: restart
nodes:
  s:
    kind: exec
    matrix: { env.I: ['1', '2'] }
    params:
      argv: [sh, -c, 'if [ ! -e "$MARK$I" ]; then touch "$MARK$I"; sleep 5; fi; echo "s $I $PIPE_SEED" > "$PIPE_OUT/o"']
      env: { MARK: '${join(dir, 'mark')}' }
    outputs: [o]
  t:
    kind: exec
    params: { argv: [sh, -c, 'cat "$PIPE_IN_x"/* > "$PIPE_OUT/o"'] }
    inputs: { x: 's[*].o' }
    outputs: [o]
`;

describe.skipIf('skip' in redisReady)('redis worker pool: Redis restarted empty, workers all gone', () => {
  const redis = redisReady as PrivateRedis;
  const started: WorkerProcess[] = [];
  let work: string;
  const worker = async (name: string): Promise<WorkerProcess> => {
    const w = await startWorker(redis.url, join(work, name), { cpus: 1 });
    started.push(w);
    return w;
  };
  beforeAll(async () => {
    await ensureCliBuilt();
    work = tempDir('pipe-redis-restart-');
  }, 300_000);
  afterAll(() => {
    for (const w of started) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    redis.stop();
  });

  it('Redis restarted empty mid-run: lost jobs are enqueued again (one line each), the worker keeps serving, results equal a local run, no node runs twice', async () => {
    const dir = join(work, 'restart');
    mkdirSync(dir);
    writePipeline(dir, slowPair(dir));
    // One 1-slot worker: one node runs while the other waits in the queue, so both kinds of job are lost.
    const w = await worker('w');
    const run = pipeLive(['run', 'p.yaml', '--store', 'st', '--executor', redis.url], dir, { PIPE_QUEUE_LEASE_S: '2' });
    await until(() => w.log().includes(': started'), 'a node to start');
    const first = /(s\[[^\]]+\]): started/.exec(w.log())?.[1] as string;
    await redis.restart();
    const r = await run.done;
    expect(r.code, r.err).toBe(0);
    // The driver said so once per lost job: the waiting one was enqueued again; the running one was too, or was
    // found in the store, unless its worker reported it before the driver looked.
    const lost = r.err.split('\n').filter((l) => l.includes('is no longer in Redis (Redis restarted without persistence?)'));
    const second = ['s[env.I=1]', 's[env.I=2]'].find((id) => id !== first) as string;
    expect(lost.filter((l) => l.includes(`pipe run: ${second}: queue job`) && l.endsWith('enqueued it again'))).toHaveLength(1);
    expect(lost.filter((l) => l.includes(`pipe run: ${first}: queue job`)).length).toBeLessThanOrEqual(1);
    expect(lost).toHaveLength(lost.some((l) => l.includes(`pipe run: ${first}:`)) ? 2 : 1);
    // The worker reconnected (silently, when the new server was up at its first retry), ran the node it held to its
    // end, and took the jobs enqueued after the restart.
    expect(w.child.exitCode).toBe(null);
    expect(w.log()).toContain(`${first}: its queue job vanished from Redis`);
    const store = join(dir, 'st');
    const ran = rows(store).filter((x) => x.status === 'ran');
    expect(ran.map((x) => x.node_id).sort()).toEqual(['s[env.I=1]', 's[env.I=2]', 't']); // each once
    expect(ran.every((x) => x.worker?.endsWith(`:${w.pid}`))).toBe(true);
    expect(leftovers(store)).toEqual([]);
    // Same keys and bytes as a local run of the same pipeline (fast now: the marks exist, and they are no input).
    const local = await pipe(['run', 'p.yaml', '--store', 'local'], dir);
    expect(local.code, local.err).toBe(0);
    expect(results(store)).toEqual(results(join(dir, 'local')));
    w.child.kill('SIGTERM');
    expect(await exitWithin(w, 10_000), w.log()).toBe(0);
  }, 120_000);

  it('every worker killed (kill -9): the driver says no worker is serving the queue, keeps waiting, and completes once a worker is back', async () => {
    const dir = join(work, 'dead');
    mkdirSync(dir);
    const mark = join(dir, 'mark');
    writePipeline(dir, longNode(mark));
    for (const o of started) if (o.child.exitCode === null) o.child.kill('SIGKILL'); // none but this test's
    const w = await worker('x');
    const run = pipeLive(['run', 'p.yaml', '--store', 'st', '--executor', redis.url], dir, { PIPE_QUEUE_LEASE_S: '2' });
    await until(() => existsSync(mark) && w.log().includes('long: started'), 'the node to start');
    killMachine(w.pid);
    const notice = `pipe run: no pipe worker has been serving ${redis.url} for`;
    await until(() => run.err().includes(notice), 'the driver to say that no worker serves the queue', 30_000);
    expect(run.err()).toMatch(/still waiting for one \(start it with: pipe worker --redis redis:\/\/127\.0\.0\.1:\d+\)/);
    expect(run.child.exitCode).toBe(null);
    await worker('y');
    const r = await run.done;
    expect(r.code, r.err).toBe(0);
    expect(r.err.split('\n').filter((l) => l.includes(notice))).toHaveLength(1);
    expect(rows(join(dir, 'st')).filter((x) => x.status === 'ran')).toHaveLength(1);
    expect(leftovers(join(dir, 'st'))).toEqual([]);
  }, 120_000);
});
