/**
 * Hostile pipeline files: shapes that used to hang the loader, crash it with a stack trace, or print raw terminal
 * escapes. Each is a located diagnostic (exit 2 at the CLI), produced quickly, with nothing written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/engine/load.js';
import { library } from './fixtures/kinds.js';
import { diagnosticsText, run, tempDir, writePipeline } from './fixtures/helpers.js';

const text = (yaml: string, opts: { store?: string } = {}): string => diagnosticsText(writePipeline(tempDir(), yaml, 'x.yaml'), opts);

describe('hostile pipeline files', () => {
  it('a FIFO, a directory or a device as the pipeline file: one line, no hang', () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    mkdirSync(join(dir, 'dir.yaml'));
    const message = (file: string): string => loadPipeline(file, { library }).diagnostics.map((d) => d.message).join('\n');
    expect(message(join(dir, 'fifo.yaml'))).toMatch(/fifo\.yaml: is not a regular file/);
    expect(message(join(dir, 'dir.yaml'))).toMatch(/dir\.yaml: is a directory, not a pipeline file/);
    expect(message('/dev/zero')).toMatch(/is not a regular file/);
  });

  it('a matrix that would expand to a million instances is refused at once, naming its axes', () => {
    const values = JSON.stringify(Array.from({ length: 100 }, (_, i) => i));
    const started = Date.now();
    const out = text(`name: x\nnodes:\n  a: { kind: t.value, params: { value: 1 }, matrix: { value: ${values}, nested.lr: ${values}, n: ${values} } }\n`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(out.split('\n')[0]).toMatch(/^x\.yaml:3:\d+ error: node 'a' would expand to 1000000 instances \(100 value × 100 nested\.lr × 100 n\); at most 10000 are allowed$/);
  });

  it('a large matrix that is allowed expands in linear time', () => {
    const values = JSON.stringify(Array.from({ length: 5000 }, (_, i) => i));
    const started = Date.now();
    const file = writePipeline(tempDir(), `name: x\nnodes:\n  a: { kind: t.value, params: { value: 1 }, matrix: { value: ${values} } }\n`);
    expect(loadPipeline(file, { library }).pipeline?.instances.length).toBe(5000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('terminal escapes and bidi overrides in names are printed as visible characters', () => {
    const out = text('name: x\nnodes:\n  "a\\e]0;owned\\a\\e[2J\\u202eb": { kind: t.value }\n');
    expect(out).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(out).toContain("invalid node id 'a␛]0;owned␇␛[2J\ufffdb'");
  });

  it('a long line is shown around the caret, not whole', () => {
    const out = text(`name: x\nnodes:\n  a: { kind: t.value, params: { value: "${'x'.repeat(100_000)}", bogus: 1 } }\n`);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^x\.yaml:3:\d+ error: unknown param 'bogus'/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(400);
    const caret = lines[2]?.indexOf('^') ?? -1;
    expect(lines[1]?.slice(caret, caret + 5)).toBe('bogus');
  });

  it('nesting deeper than any pipeline needs, and keys that are lists or mappings, are located errors', () => {
    expect(text(`name: x\nnodes:\n  a: { kind: t.value, params: { value: ${'['.repeat(5000)}${']'.repeat(5000)} } }\n`)).toMatch(/^x\.yaml:3:\d+ error: nesting too deep for a pipeline/);
    expect(text(`name: x\nnodes:\n  a: { kind: t.value, params: { value: ${'['.repeat(300)}${']'.repeat(300)} } }\n`)).toMatch(/^x\.yaml:3:\d+ error: nesting too deep for a pipeline \(more than 100 levels\)/);
    expect(text('name: x\nnodes:\n  a: { kind: t.value, params: { value: { ? [q] : 1 } } }\n')).toMatch(/^x\.yaml:3:\d+ error: a key must be a plain value/);
  });

  it('a store folder that already holds other files is refused before anything is written into it', () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    mkdirSync(home);
    writeFileSync(join(home, 'notes.txt'), 'mine');
    expect(text('name: x\nnodes:\n  a: { kind: t.value }\n', { store: home })).toBe(
      `error: --store: store ${home} is a folder with other files in it, not a pipe store; name a new or empty folder (pipe writes objects/, cache/, meta/, tmp/… there)`,
    );
    expect(readdirSync(home)).toEqual(['notes.txt']);
  });

  it('an output that is a FIFO, a link or a device fails its node with one line, and nothing is read from it', async () => {
    const dir = tempDir();
    const file = writePipeline(
      dir,
      `name: x
nodes:
  fifo: { kind: exec, params: { argv: [sh, -c, 'mkfifo "$PIPE_OUT/o"'] }, outputs: [o] }
  link: { kind: exec, params: { argv: [sh, -c, 'mkdir "$PIPE_OUT/o"; ln -s /etc/passwd "$PIPE_OUT/o/p"'] }, outputs: [o] }
`,
    );
    const r = await run(file, { keepGoing: true });
    expect(r.status).toEqual({ fifo: 'failed', link: 'failed' });
    const messages = r.nodes.map((n) => (n.failure?.type === 'node-failed' ? `${n.failure.message}\n${n.failure.logTail.join('\n')}` : ''));
    expect(messages[0]).toContain("output 'o' is a FIFO, not a file or a directory");
    expect(messages[1]).toContain("output 'o' contains p, which is a symbolic link, not a file or a directory");
    for (const m of messages) expect(m).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'artifacts', 'cache'))).toBe(true);
    expect(readdirSync(join(dir, 'artifacts', 'cache'))).toEqual([]);
  });
});
