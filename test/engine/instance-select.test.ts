import { describe, expect, it } from 'vitest';
import { diagnosticsText, load, tempDir, writePipeline } from './fixtures/helpers.js';

const SWEEP = `name: s
nodes:
  a:
    kind: t.value
    matrix: { value: [0.003, 0.01], n: [1, 2] }
`;

describe('instance-selecting inputs (node[axis=value].output)', () => {
  it('selects the named instance and follows the axes it does not name', () => {
    const file = writePipeline(tempDir(), `${SWEEP}  one:
    kind: t.concat
    inputs: { a: 'a[value=0.003,n=2].out' }
  per-n:
    kind: t.concat
    inputs: { a: 'a[value=0.01].out' }
`);
    const p = load(file);
    const inputsOf = (id: string): string | undefined => p.instances.find((i) => i.id === id)?.inputs.a?.node;
    expect(inputsOf('one')).toBe('a[value=0.003,n=2]');
    expect(p.instances.filter((i) => i.baseId === 'per-n').map((i) => [i.id, i.inputs.a?.node])).toEqual([
      ['per-n[n=1]', 'a[value=0.01,n=1]'],
      ['per-n[n=2]', 'a[value=0.01,n=2]'],
    ]);
  });

  it('a selector naming an unknown axis or value, or a malformed one, is a located error', () => {
    const file = writePipeline(tempDir(), `${SWEEP}  b:
    kind: t.concat
    inputs: { a: 'a[lr=0.003].out', b: 'a[value=0.5].out' }
  c:
    kind: t.concat
    inputs: { a: 'a[value].out' }
`, 'x.yaml');
    expect(diagnosticsText(file)).toBe(`x.yaml:11:18 error: input 'a' has a bad instance selector '[value]': expected [*] or [<axis>=<value>,…]
 11 |     inputs: { a: 'a[value].out' }
    |                  ^^^^^^^^^^^^^^
x.yaml:8:18 error: input 'a': node 'a' has no matrix axis 'lr'
 8 |     inputs: { a: 'a[lr=0.003].out', b: 'a[value=0.5].out' }
   |                  ^^^^^^^^^^^^^^^^^
  hint: instances of a: value ∈ {0.003, 0.01}; n ∈ {1, 2}
x.yaml:8:40 error: input 'b': no instance of 'a' has value=0.5
 8 |     inputs: { a: 'a[lr=0.003].out', b: 'a[value=0.5].out' }
   |                                        ^^^^^^^^^^^^^^^^^^
  hint: instances of a: value ∈ {0.003, 0.01}; n ∈ {1, 2}`);
  });
});
