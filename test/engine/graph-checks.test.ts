import { describe, expect, it } from 'vitest';
import type { Checked, GraphNode } from '../../src/engine/checked-node.js';
import { soundNodes, topoOrder } from '../../src/engine/graph-checks.js';
import type { NodeKind } from '../../src/engine/node-kind.js';
import { concat, library, value } from './fixtures/kinds.js';
import { diagnosticsText, tempDir, writePipeline } from './fixtures/helpers.js';

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

  it('an input wired to an output of another declared format is refused at its place; a narrowing input takes it', () => {
    const LEVELS = 'JSONL, one level per line';
    const MODEL = 'a model folder';
    const make = (kind: string, outputFormats: Record<string, string>): NodeKind => ({ ...value, kind, outputFormats });
    const use = (kind: string, inputFormats: Record<string, string>): NodeKind => ({ ...concat, kind, inputFormats });
    const formats = {
      kinds: [
        make('f.levels', { out: LEVELS }),
        make('f.model', { out: MODEL }),
        use('f.eval', { a: MODEL }),
        use('f.curve', { a: `${MODEL} with snapshots` }),
        value,
        concat,
      ],
    };
    const file = writePipeline(
      tempDir(),
      [
        'name: f',
        'nodes:',
        '  l: { kind: f.levels }',
        '  m: { kind: f.model }',
        '  v: { kind: t.value }',
        '  bad: { kind: f.eval, inputs: { a: l.out } }',
        '  good: { kind: f.eval, inputs: { a: m.out } }',
        '  narrow: { kind: f.curve, inputs: { a: m.out } }',
        '  wide: { kind: f.curve, inputs: { a: l.out } }',
        '  undeclared: { kind: f.eval, inputs: { a: v.out } }',
        '  free: { kind: t.concat, inputs: { a: l.out } }',
        '',
      ].join('\n'),
    );
    expect(diagnosticsText(file, { library: formats }).split('\n').filter((l) => l.includes('error:'))).toEqual([
      `p.yaml:6:37 error: input 'a' takes ${MODEL}; l.out is ${LEVELS}`,
      `p.yaml:9:39 error: input 'a' takes ${MODEL} with snapshots; l.out is ${LEVELS}`,
    ]);
  });
});
