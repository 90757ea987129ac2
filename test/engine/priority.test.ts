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
    expect(await startOrder(`name: prio\nnodes:\n${nodes({})}`)).toEqual(['first', 'low', 'mid', 'high', 'mid2']);
    // Waiting nodes go by priority; and the nodes above 0 hold the one slot back from `first` (0) until they start.
    expect(await startOrder(`name: prio\nnodes:\n${nodes({ low: -5, mid: 3, high: 9, mid2: 3 })}`)).toEqual(['high', 'mid', 'mid2', 'first', 'low']);
    // Only below 0: `first` takes the slot at once (nothing is held for it), then the waiters by priority.
    expect(await startOrder(`name: prio\nnodes:\n${nodes({ low: -5, mid: -1, high: -1, mid2: -3 })}`)).toEqual(['first', 'mid', 'high', 'mid2', 'low']);
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

  it('a node inherits the highest priority downstream of it, so its inputs are made first', () => {
    const file = writePipeline(tempDir(), `name: inherit
nodes:
  data:
    kind: t.value
    params: { value: d }
  other:
    kind: t.value
    params: { value: o }
  train:
    kind: t.concat
    priority: 4
    matrix: { note: [x, y] }
    inputs: { a: data.out }
  report:
    kind: t.concat
    priority: -2
    inputs: { a: 'train[*].out', b: other.out }
`);
    const p = load(file);
    expect(Object.fromEntries(p.instances.map((i) => [i.id, i.priority ?? 0]))).toEqual({ data: 4, other: 0, 'train[note=x]': 4, 'train[note=y]': 4, report: -2 });
  });

  it('Slots hold a pending high-priority request back from lower waiters until it starts or settles', async () => {
    const slots = new Slots({ cpu: 4, gpu: 1 });
    const granted: string[] = [];
    slots.reserve('long', { cpu: 2, gpu: 0 }, 10);
    slots.reserve('gpu-job', { cpu: 1, gpu: 1 }, 5);
    const wait = (name: string, cpu: number, gpu: number, priority = 0) => slots.acquire({ cpu, gpu }, undefined, priority, name).then(() => void granted.push(name));
    const a = wait('a', 1, 0);
    const b = wait('b', 2, 0); // 4 free, 3 held for long and gpu-job: only `a` fits
    await a;
    expect(granted).toEqual(['a']);
    const g = wait('gpu-job', 1, 1, 5); // priority 5 is held back by `long` (10) only: 3 free - 2 held = 1 cpu, fits
    await g;
    expect(granted).toEqual(['a', 'gpu-job']);
    const l = wait('long', 2, 0, 10);
    await l;
    expect(granted).toEqual(['a', 'gpu-job', 'long']);
    slots.release({ cpu: 1, gpu: 0 }); // `a` ends: 1 free, `b` needs 2
    await Promise.resolve();
    expect(granted).toEqual(['a', 'gpu-job', 'long']);
    slots.release({ cpu: 2, gpu: 0 });
    await b;
    expect(granted).toEqual(['a', 'gpu-job', 'long', 'b']);
    // A reservation that is settled (the node was cached) stops holding anything back.
    const s2 = new Slots({ cpu: 2, gpu: 0 });
    s2.reserve('cached', { cpu: 2, gpu: 0 }, 3);
    let low = false;
    const lowDone = s2.acquire({ cpu: 1, gpu: 0 }).then(() => void (low = true));
    await Promise.resolve();
    expect(low).toBe(false);
    s2.settle('cached');
    await lowDone;
    expect(low).toBe(true);
  });

  it('a run starts its high-priority node before lower ones that were ready first', async () => {
    // One slot. `slowdata` feeds `long` (priority 5); `quick1`, `quick2` are ready at once. Without the reservation
    // the quick ones would take the slot while `slowdata` runs; with it, `slowdata` (inherits 5) and `long` go first.
    const yaml = (p: string) => `name: hold
nodes:
  quick1:
    kind: t.slow
    params: { ms: 30, tag: q1 }
  quick2:
    kind: t.slow
    params: { ms: 30, tag: q2 }
  slowdata:
    kind: t.slow
    params: { ms: 30, tag: sd }
  long:
    kind: t.concat
${p}    inputs: { a: slowdata.out }
`;
    expect(await startOrder(yaml(''))).toEqual(['quick1', 'quick2', 'slowdata', 'long']);
    expect(await startOrder(yaml('    priority: 5\n'))).toEqual(['slowdata', 'long', 'quick1', 'quick2']);
  });

  it("maps to BullMQ's order (lower first, every job prioritized)", () => {
    expect([bullPriority(100), bullPriority(1), bullPriority(), bullPriority(-100)]).toEqual([1, 100, 101, 201]);
  });
});
