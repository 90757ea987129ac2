import { describe, expect, it } from 'vitest';
import { diagnosticsText, tempDir, writePipeline } from './fixtures/helpers.js';
import { concat, value } from './fixtures/kinds.js';

/** Exact diagnostic text (as printed by the CLI) for each kind of bad input. */
function check(yaml: string, expected: string, overrides?: string[]): void {
  const file = writePipeline(tempDir(), yaml, 'x.yaml');
  expect(diagnosticsText(file, overrides ? { overrides } : {})).toBe(expected.trim());
}

describe('pipeline diagnostics', () => {
  it('YAML syntax error', () => {
    check('name: x\nnodes:\n  a:\n    kind: t.value\n   params: {}\n', `
x.yaml:5:1 error: YAML syntax: All mapping items must start at the same column
 5 |    params: {}
   | ^`);
  });

  it('only the first YAML syntax error of a cascade, with a count and a hint for unquoted [*] in a flow map', () => {
    check('name: x\nnodes:\n  a: { kind: t.value }\n  b: { kind: t.concat, inputs: { a: a[*].out } }\n  c: { kind: t.value }\n', `
x.yaml:4:38 error: YAML syntax: Unexpected flow-seq-start at node end
 4 |   b: { kind: t.concat, inputs: { a: a[*].out } }
   |                                      ^
  hint: inside { … } quote a gathered reference: "node[*].output"; 11 more YAML errors after this one, probably caused by it`);
  });

  it('duplicate key', () => {
    check('name: x\nnodes:\n  a: { kind: t.value }\n  a: { kind: t.value }\n', `
x.yaml:4:3 error: duplicate key 'a'
 4 |   a: { kind: t.value }
   |   ^`);
  });

  it('unknown node kind, with the known kinds as a hint', () => {
    check('name: x\nnodes:\n  a:\n    kind: nope\n', `
x.yaml:4:11 error: unknown node kind 'nope'
 4 |     kind: nope
   |           ^^^^
  hint: known kinds: exec, t.concat, t.fail, t.noisy, t.probe, t.report, t.resumable, t.slow, t.value`);
  });

  it('unknown and mistyped params, all reported at once', () => {
    check('name: x\nnodes:\n  a:\n    kind: t.value\n    params: { valeu: 1, n: -1 }\n  b:\n    kind: t.slow\n    params: { ms: fast }\n', `
x.yaml:5:15 error: unknown param 'valeu' for kind 't.value'
 5 |     params: { valeu: 1, n: -1 }
   |               ^^^^^
  hint: known params: value, file, n, nested
x.yaml:5:28 error: param 'n' must be >= 0
 5 |     params: { valeu: 1, n: -1 }
   |                            ^^
x.yaml:8:19 error: param 'ms' must be integer
 8 |     params: { ms: fast }
   |                   ^^^^`);
  });

  it('alternative inputs: exactly one of them wired', () => {
    const library = { kinds: [value, { ...concat, kind: 't.either', optionalInputs: ['a', 'b'], oneOfInputs: ['a', 'b'] }] };
    const file = writePipeline(
      tempDir(),
      'name: x\nnodes:\n  v: { kind: t.value }\n  none: { kind: t.either }\n  both: { kind: t.either, inputs: { a: v.out, b: v.out } }\n  one: { kind: t.either, inputs: { b: v.out } }\n',
      'x.yaml',
    );
    expect(diagnosticsText(file, { library })).toBe(
      `
x.yaml:4:3 error: kind 't.either' takes exactly one of 'a', 'b'
 4 |   none: { kind: t.either }
   |   ^^^^
x.yaml:5:27 error: kind 't.either' takes exactly one of 'a', 'b'; 'a' and 'b' are wired
 5 |   both: { kind: t.either, inputs: { a: v.out, b: v.out } }
   |                           ^^^^^^`.trim(),
    );
  });

  it('references to a missing node or output, unknown and missing inputs', () => {
    check('name: x\nnodes:\n  a: { kind: t.value }\n  b:\n    kind: t.concat\n    inputs: { a: zz.out, b: a.nope }\n  c:\n    kind: t.concat\n    inputs: { c: a.out }\n', `
x.yaml:9:15 error: unknown input 'c' for kind 't.concat'
 9 |     inputs: { c: a.out }
   |               ^
  hint: inputs of t.concat: a, b
x.yaml:9:5 error: missing input 'a' for kind 't.concat'
 9 |     inputs: { c: a.out }
   |     ^^^^^^
x.yaml:6:18 error: input 'a' refers to unknown node 'zz'
 6 |     inputs: { a: zz.out, b: a.nope }
   |                  ^^^^^^
  hint: nodes: a, b, c
x.yaml:6:29 error: input 'b' refers to unknown output 'a.nope'
 6 |     inputs: { a: zz.out, b: a.nope }
   |                             ^^^^^^
  hint: outputs of a: out`);
  });

  it('a cycle, with its path', () => {
    check('name: x\nnodes:\n  a:\n    kind: t.concat\n    inputs: { a: c.out }\n  b:\n    kind: t.concat\n    inputs: { a: a.out }\n  c:\n    kind: t.concat\n    inputs: { a: b.out }\n', `
x.yaml:8:18 error: dependency cycle: a -> b -> c -> a
 8 |     inputs: { a: a.out }
   |                  ^^^^^`);
  });

  it('a self-loop is a cycle too', () => {
    check('name: x\nnodes:\n  a:\n    kind: t.concat\n    inputs: { a: a.out }\n', `
x.yaml:5:18 error: dependency cycle: a -> a
 5 |     inputs: { a: a.out }
   |                  ^^^^^`);
  });

  it('matrix over an unknown param; a bad matrix value points at the value', () => {
    check('name: x\nnodes:\n  a:\n    kind: t.value\n    matrix: { seed: [1, 2], n: [1, -2] }\n', `
x.yaml:5:15 error: matrix over unknown param 'seed' for kind 't.value'
 5 |     matrix: { seed: [1, 2], n: [1, -2] }
   |               ^^^^
  hint: known params: value, file, n, nested
x.yaml:5:36 error: param 'n' must be >= 0
 5 |     matrix: { seed: [1, 2], n: [1, -2] }
   |                                    ^^`);
  });

  it('an alias bomb (billion laughs) is refused without expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) {
      const p = String.fromCharCode(96 + i);
      const c = String.fromCharCode(97 + i);
      levels.push(`${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]`);
    }
    check(`name: x\n${levels.join('\n')}\nnodes: { a: { kind: t.value } }\n`, `
x.yaml:3:8 error: too many alias expansions (more than 1000); refusing a possible billion-laughs document
 3 | b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
   |        ^^`);
  });

  it('output names that would escape the store', () => {
    check('name: x\nnodes:\n  a:\n    kind: exec\n    params: { argv: ["true"] }\n    outputs: [../x, /etc/passwd, ok, "a b", "sub/../../y"]\n', `
x.yaml:6:15 error: output name '../x' would escape the store
 6 |     outputs: [../x, /etc/passwd, ok, "a b", "sub/../../y"]
   |               ^^^^
x.yaml:6:21 error: output name '/etc/passwd' would escape the store
 6 |     outputs: [../x, /etc/passwd, ok, "a b", "sub/../../y"]
   |                     ^^^^^^^^^^^
x.yaml:6:38 error: invalid output name 'a b' (letters, digits, '_', '-' and '.', not starting with '.' or '-')
 6 |     outputs: [../x, /etc/passwd, ok, "a b", "sub/../../y"]
   |                                      ^^^^^
x.yaml:6:45 error: output name 'sub/../../y' would escape the store
 6 |     outputs: [../x, /etc/passwd, ok, "a b", "sub/../../y"]
   |                                             ^^^^^^^^^^^^^`);
  });

  it('pipeline schema: unknown fields, bad values, bad node ids', () => {
    check('name: x\nseed: -1\nextra: 1\nnodes:\n  a: { kind: t.value, input: {} }\n  1b: { kind: t.value }\n', `
x.yaml:3:1 error: unknown field 'extra'
 3 | extra: 1
   | ^^^^^
x.yaml:2:7 error: field 'seed' must be >= 0
 2 | seed: -1
   |       ^^
x.yaml:5:23 error: unknown field 'input' in 'nodes.a'
 5 |   a: { kind: t.value, input: {} }
   |                       ^^^^^
x.yaml:6:3 error: invalid node id '1b' (letters, digits, '_' and '-', not starting with a digit)
 6 |   1b: { kind: t.value }
   |   ^^`);
  });

  it('a file param naming a missing file', () => {
    check('name: x\nnodes:\n  a: { kind: t.value, params: { file: missing.txt } }\n', `
x.yaml:3:39 error: param 'file': file not found: missing.txt
 3 |   a: { kind: t.value, params: { file: missing.txt } }
   |                                       ^^^^^^^^^^^`);
  });

  it('not a mapping', () => {
    check('- 1\n', `
x.yaml:1:1 error: a pipeline must be a YAML mapping with 'name' and 'nodes'
 1 | - 1
   | ^^^`);
  });

  it('bad --set overrides', () => {
    check('name: x\nnodes:\n  a: { kind: t.value }\n', `
error: --set zz.n=1: unknown node 'zz'
  hint: nodes: a
error: --set bad: expected <node>.<param.path>=<value>
x.yaml:3:6 error: param 'n' must be integer (set by --set a.n)
 3 |   a: { kind: t.value }
   |      ^^^^^^^^^^^^^^^^^`, ['zz.n=1', 'a.n=abc', 'bad']);
  });

  it('hostile names cannot reach object prototypes', () => {
    check('name: x\nnodes:\n  a: { kind: t.concat, inputs: { a: constructor.out } }\n', `
error: --set a.__proto__.x=1: invalid param path '__proto__.x'
error: --set constructor.x=1: unknown node 'constructor'
  hint: nodes: a
x.yaml:3:37 error: input 'a' refers to unknown node 'constructor'
 3 |   a: { kind: t.concat, inputs: { a: constructor.out } }
   |                                     ^^^^^^^^^^^^^^^
  hint: nodes: a`, ['a.__proto__.x=1', 'constructor.x=1']);
    check('name: x\nnodes:\n  a: { kind: toString }\n', `
x.yaml:3:14 error: unknown node kind 'toString'
 3 |   a: { kind: toString }
   |              ^^^^^^^^
  hint: known kinds: exec, t.concat, t.fail, t.noisy, t.probe, t.report, t.resumable, t.slow, t.value`);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('a repeated matrix value and conflicting inherited axes', () => {
    check('name: x\nnodes:\n  a:\n    kind: t.value\n    matrix: { n: [1, 1] }\n', `
x.yaml:5:22 error: matrix value 1 of 'n' is repeated
 5 |     matrix: { n: [1, 1] }
   |                      ^`);
    check('name: x\nnodes:\n  a:\n    kind: t.value\n    matrix: { n: [1, 2] }\n  b:\n    kind: t.value\n    matrix: { n: [3] }\n  c:\n    kind: t.concat\n    inputs: { a: a.out, b: b.out }\n', `
x.yaml:11:25 error: matrix axis 'n' of node 'c' has different values in 'b'
 11 |     inputs: { a: a.out, b: b.out }
    |                         ^
  hint: a node is expanded along the matrix axes of its inputs; axes with the same name must have the same values`);
  });
  it('every independent error at once: schema, params, kinds, references, a cycle and file params', () => {
    check(`name: x
seed: -1
nodes:
  a:
    kind: t.value
    params: { valeu: 1 }
  u:
    kind: nope
    inputs: { x: a.out }
  b:
    kind: t.concat
    inputs: { a: a.missing }
  c:
    kind: t.concat
    params: { upper: maybe }
    inputs: { a: d.out }
  d:
    kind: t.concat
    inputs: { a: c.out, b: u.out }
  e:
    kind: t.concat
    inputs: { a: zz.out }
  f:
    kind: t.value
    params: { file: missing.txt }
`, `
x.yaml:2:7 error: field 'seed' must be >= 0
 2 | seed: -1
   |       ^^
x.yaml:6:15 error: unknown param 'valeu' for kind 't.value'
 6 |     params: { valeu: 1 }
   |               ^^^^^
  hint: known params: value, file, n, nested
x.yaml:8:11 error: unknown node kind 'nope'
 8 |     kind: nope
   |           ^^^^
  hint: known kinds: exec, t.concat, t.fail, t.noisy, t.probe, t.report, t.resumable, t.slow, t.value
x.yaml:15:22 error: param 'upper' must be boolean
 15 |     params: { upper: maybe }
    |                      ^^^^^
x.yaml:12:18 error: input 'a' refers to unknown output 'a.missing'
 12 |     inputs: { a: a.missing }
    |                  ^^^^^^^^^
  hint: outputs of a: out
x.yaml:22:18 error: input 'a' refers to unknown node 'zz'
 22 |     inputs: { a: zz.out }
    |                  ^^^^^^
  hint: nodes: a, u, b, c, d, e, f
x.yaml:19:18 error: dependency cycle: c -> d -> c
 19 |     inputs: { a: c.out, b: u.out }
    |                  ^^^^^
x.yaml:25:21 error: param 'file': file not found: missing.txt
 25 |     params: { file: missing.txt }
    |                     ^^^^^^^^^^^`);
  });

  it('bad references and a cycle in one file (the cycle is not hidden by the references)', () => {
    check('name: x\nnodes:\n  a: { kind: t.value }\n  b: { kind: t.concat, inputs: { a: a.missing } }\n  c: { kind: t.concat, inputs: { a: d.out } }\n  d: { kind: t.concat, inputs: { a: c.out } }\n', `
x.yaml:4:37 error: input 'a' refers to unknown output 'a.missing'
 4 |   b: { kind: t.concat, inputs: { a: a.missing } }
   |                                     ^^^^^^^^^
  hint: outputs of a: out
x.yaml:6:37 error: dependency cycle: c -> d -> c
 6 |   d: { kind: t.concat, inputs: { a: c.out } }
   |                                     ^^^^^`);
  });
});

describe('large pipelines', () => {
  it('a 3000-node cycle is reported abbreviated; long node lists in hints are capped', () => {
    const n = 3000;
    const lines = ['name: big', 'nodes:', `  n0: { kind: t.concat, inputs: { a: n${n - 1}.out } }`];
    for (let i = 1; i < n; i++) lines.push(`  n${i}: { kind: t.concat, inputs: { a: n${i - 1}.out } }`);
    lines.push('  x: { kind: t.concat, inputs: { a: nope.out } }');
    const text = diagnosticsText(writePipeline(tempDir(), `${lines.join('\n')}\n`, 'x.yaml'));
    expect(text.split('\n').filter((l) => / error: /.test(l))).toEqual([
      "x.yaml:3003:37 error: input 'a' refers to unknown node 'nope'",
      `x.yaml:4:38 error: dependency cycle: ${[...Array(10).keys()].map((i) => `n${i}`).join(' -> ')} -> … (2981 more) … -> ${[...Array(9).keys()].map((i) => `n${n - 9 + i}`).join(' -> ')} -> n0`,
    ]);
    expect(text).toContain(`  hint: nodes: ${[...Array(20).keys()].map((i) => `n${i}`).join(', ')}, … (3001 in all)`);
  });
});
