import { describe, expect, it } from 'vitest';
import type { Checked, GraphNode } from '../../src/engine/checked-node.js';
import { soundNodes, topoOrder } from '../../src/engine/graph-checks.js';
import { library } from './fixtures/kinds.js';

const kind = library.kinds[0] as Checked['kind'];
const node = (id: string, ups: readonly string[]): Checked => ({
  id,
  kind,
  params: {},
  matrix: [],
  inputs: Object.fromEntries(ups.map((u, i) => [`i${i}`, { node: u, output: 'out', gather: false }])),
  outputs: ['out'],
  resources: { cpu: 1, gpu: 0 },
});
const graphOf = (nodes: readonly Checked[]): Map<string, GraphNode> =>
  new Map(nodes.map((c) => [c.id, { id: c.id, refs: c.inputs, outputs: c.outputs }]));

describe('graph checks', () => {
  it('topological order: the ready node declared first, every time', () => {
    const nodes = [node('d', ['b', 'c']), node('c', []), node('b', ['a']), node('a', []), node('e', [])];
    expect(topoOrder(new Map(nodes.map((c) => [c.id, c]))).map((c) => c.id)).toEqual(['c', 'a', 'b', 'd', 'e']);
  });

  it('30,000-node chains: linear-time order, no stack overflow finding the sound part', () => {
    const n = 30_000;
    // Declared last-first: the naive "first ready pending node" scan would be quadratic here.
    const chain = Array.from({ length: n }, (_, i) => node(`n${n - 1 - i}`, n - 1 - i > 0 ? [`n${n - 2 - i}`] : []));
    const checked = new Map(chain.map((c) => [c.id, c]));
    const order = topoOrder(checked);
    expect([order[0]?.id, order[n - 1]?.id]).toEqual(['n0', `n${n - 1}`]);
    expect(soundNodes(graphOf(chain), checked).size).toBe(n);
    // Close the chain into a cycle, plus one node outside it that only reads from it.
    const looped = chain.map((c) => (c.id === 'n0' ? node('n0', [`n${n - 1}`]) : c));
    const withReader = [...looped, node('reader', ['n5']), node('free', [])];
    const sound = soundNodes(graphOf(withReader), new Map(withReader.map((c) => [c.id, c])));
    expect([...sound.keys()]).toEqual(['free']);
  });
});
