/**
 * Node priority through a real Redis worker pool: the driver enqueues five ready nodes before any worker exists; a
 * one-slot worker then takes them highest priority first (BullMQ's prioritized set), file order within a priority.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { writePipeline } from '../engine/fixtures/helpers.js';
import { pipeLive, rows, startWorker } from './harness.js';
import type { WorkerProcess } from './harness.js';
import { privateRedis } from './services.js';
import type { Service } from './services.js';

const node = (id: string, priority?: number): string =>
  `  ${id}:\n    kind: exec\n${priority !== undefined ? `    priority: ${priority}\n` : ''}    params: { argv: [sh, -c, 'sleep 0.2; echo ${id} > "$PIPE_OUT/o"'] }\n    outputs: [o]\n`;

const redisReady = await privateRedis();
if ('skip' in redisReady) console.warn(`\n*** SKIPPING the Redis priority test: ${redisReady.skip} ***\n`);

describe.skipIf('skip' in redisReady)('priority on the worker pool', () => {
  const redis = redisReady as Service;
  let worker: WorkerProcess | undefined;
  afterAll(() => {
    worker?.child.kill('SIGKILL');
    redis.stop();
  });

  it('a one-slot worker takes queued nodes by priority, then in file order', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pipe-prio-'));
    writePipeline(work, `name: prio\nnodes:\n${node('a')}${node('b', 5)}${node('c', -3)}${node('d', 9)}${node('e', 5)}`, 'prio.yaml');
    const store = join(work, 'store');
    const driver = pipeLive(['run', 'prio.yaml', '--store', store, '--executor', redis.url], work);
    await sleep(3000); // every node is ready at once: all five jobs are queued before the worker starts
    worker = await startWorker(redis.url, join(work, 'machine'), { cpus: 1 });
    const done = await driver.done;
    expect(done.code, done.err).toBe(0);
    expect(rows(store).filter((r) => r.status === 'ran').map((r) => r.node_id)).toEqual(['d', 'b', 'e', 'a', 'c']);
  }, 60_000);
});
