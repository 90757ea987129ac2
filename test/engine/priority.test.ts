import { describe, expect, it } from 'vitest';
import { bullPriority } from '../../src/engine/executors/redis.js';
import { Slots } from '../../src/engine/slots.js';
import { diagnosticsText, load, run, tempDir, writePipeline } from './fixtures/helpers.js';

/** Start order of a run's nodes. */
async function startOrder(yaml: string): Promise<string[]> {
  const order: string[] = [];
  const r = await run(writePipeline(tempDir(), yaml), { jobs: 1, onEvent: (e) => void (e.type === 'node-start' ? order.push(e.id) : undefined) });
  expect(r.ok).toBe(true);
  return order;
}

describe('node priority', () => {
  it('a waiting node of higher priority gets the free slot first; equal priorities keep file order', async () => {
    const nodes = (p: Record<string, number>) =>
      ['first', 'low', 'mid', 'high', 'mid2'].map((id) => `  ${id}:\n    kind: t.slow\n${p[id] !== undefined ? `    priority: ${p[id]}\n` : ''}    params: { ms: 20, tag: ${id} }\n`).join('');
    // `first` takes the one slot at once; the other four wait for it.
    expect(await startOrder(`name: prio\nnodes:\n${nodes({})}`)).toEqual(['first', 'low', 'mid', 'high', 'mid2']);
    expect(await startOrder(`name: prio\nnodes:\n${nodes({ low: -5, mid: 3, high: 9, mid2: 3 })}`)).toEqual(['first', 'high', 'mid', 'mid2', 'low']);
  });

  it('every matrix instance has its node priority, and it is not part of the cache key', () => {
    const yaml = (p: string) => `name: m\nnodes:\n  t:\n    kind: t.slow\n${p}    matrix: { tag: [a, b] }\n    params: { ms: 1 }\n`;
    const dir = tempDir();
    const withPriority = load(writePipeline(dir, yaml('    priority: 7\n')));
    expect(withPriority.instances.map((i) => [i.id, i.priority])).toEqual([['t[tag=a]', 7], ['t[tag=b]', 7]]);
    const without = load(writePipeline(dir, yaml('')));
    expect(without.instances.map((i) => i.priority)).toEqual([undefined, undefined]);
    expect(without.instances.map((i) => i.keyParams)).toEqual(withPriority.instances.map((i) => i.keyParams));
  });

  it('a priority that is not an integer in -100..100 is a located error', () => {
    const file = writePipeline(tempDir(), 'name: bad\nnodes:\n  a:\n    kind: t.slow\n    priority: 1000\n    params: { ms: 1 }\n');
    expect(diagnosticsText(file)).toMatch(/^p\.yaml:5:15 error: .*priority.*100/m);
    const frac = writePipeline(tempDir(), 'name: bad\nnodes:\n  a:\n    kind: t.slow\n    priority: 1.5\n    params: { ms: 1 }\n');
    expect(diagnosticsText(frac)).toMatch(/^p\.yaml:5:15 error: .*integer/m);
  });

  it('Slots serve the highest priority that fits, and skip a large request for a smaller one that fits now', async () => {
    const slots = new Slots({ cpu: 2, gpu: 0 });
    const granted: string[] = [];
    await slots.acquire({ cpu: 2, gpu: 0 });
    const wait = (name: string, cpu: number, priority: number) => slots.acquire({ cpu, gpu: 0 }, undefined, priority).then(() => void granted.push(name));
    const all = [wait('a', 1, 0), wait('big', 2, 5), wait('b', 1, 1)];
    slots.release({ cpu: 1, gpu: 0 }); // one free: `big` does not fit yet, `b` (1) goes before `a` (0)
    await Promise.resolve();
    expect(granted).toEqual(['b']);
    slots.release({ cpu: 2, gpu: 0 }); // the first holder's other one and `b`'s: two free, `big` before `a`
    await all[1];
    expect(granted).toEqual(['b', 'big']);
    slots.release({ cpu: 2, gpu: 0 });
    await Promise.all(all);
    expect(granted).toEqual(['b', 'big', 'a']);
  });

  it("maps to BullMQ's order (lower first, every job prioritized)", () => {
    expect([bullPriority(100), bullPriority(1), bullPriority(), bullPriority(-100)]).toEqual([1, 100, 101, 201]);
  });
});
