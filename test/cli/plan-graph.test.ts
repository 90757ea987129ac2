/** `pipe plan --dot | --mermaid`: the DAG as a picture, one box per node, one edge per input, coloured by status. */
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../src/cli/commands/plan.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

const PIPELINE = `
name: g
nodes:
  first:
    kind: t.value
    params: { value: hello }
  second:
    kind: t.concat
    inputs: { a: first.out }
`;

describe('pipe plan --dot / --mermaid', () => {
  it('DOT: the nodes with their kind and status, and the input edges', async () => {
    const file = writePipeline(tempDir(), PIPELINE);
    const before = await capture(planCommand, [file, '--dot']);
    expect(before.code).toBe(0);
    expect(before.out).toMatch(/^digraph "g" \{/);
    expect(before.out).toContain('"first" [label="first\\nt.value · will run"');
    expect(before.out).toContain('"second" [label="second\\nt.concat · pending"');
    expect(before.out).toContain('"first" -> "second" [label="out → a"');
    await capture(runCommand, [file]);
    expect((await capture(planCommand, [file, '--dot'])).out).toContain('"first" [label="first\\nt.value · cached"');
  });

  it('Mermaid: a flowchart with numbered ids and the same edges', async () => {
    const file = writePipeline(tempDir(), PIPELINE);
    const r = await capture(planCommand, [file, '--mermaid']);
    expect(r.out.split('\n').slice(0, 4)).toEqual([
      'flowchart LR',
      '  n0["first<br/><small>t.value</small>"]:::run',
      '  n1["second<br/><small>t.concat</small>"]:::pending',
      '  n0 -->|"out → a"| n1',
    ]);
  });

  it('the two formats and --json are exclusive', async () => {
    const r = await capture(planCommand, ['p.yaml', '--dot', '--mermaid']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pipe plan: --json, --dot and --mermaid are exclusive/);
  });
});
