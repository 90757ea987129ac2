/**
 * exec and Linux's execve limits: an argument that can never be passed (over MAX_ARG_STRLEN, or params over the
 * 6 MiB any Linux passes at most) is a located load error with exit 2; what only the running machine decides (its
 * environment, its stack limit) fails naming the argument, its size and what to do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { MAX_ARG_STRLEN } from '../../src/nodes/exec/arg-limits.js';
import { ensureCliBuilt } from '../build-cli.js';
import { capture } from '../cli/capture.js';
import { diagnosticsText, load, run, tempDir, writePipeline } from './fixtures/helpers.js';

const node = (params: string): string => `name: big\nnodes:\n  a:\n    kind: exec\n    params: ${params}\n    outputs: [o]\n`;
const OK = `sh, -c, 'printf ok > "$PIPE_OUT/o"'`;

describe('exec argument limits', () => {
  it('an argument of MAX_ARG_STRLEN bytes with its NUL runs; one byte more is an error at its place, exit 2', async () => {
    const dir = tempDir();
    const fits = writePipeline(dir, node(`{ argv: [${OK}, '${'x'.repeat(MAX_ARG_STRLEN - 1)}'] }`), 'fits.yaml');
    expect((await run(fits)).ok).toBe(true);

    const overDir = tempDir();
    const over = writePipeline(overDir, node(`{ argv: [${OK}, '${'x'.repeat(MAX_ARG_STRLEN)}'] }`), 'over.yaml');
    const text = diagnosticsText(over);
    expect(text).toContain(`over.yaml:5:${`    params: { argv: [${OK}, `.length + 1}`);
    expect(text).toContain("param 'argv.3' is 131,073 bytes with its NUL, over Linux's limit of 131,072 bytes for one argument (MAX_ARG_STRLEN)");
    expect(text).toContain("pass it through a file instead: a 'files' param");
    expect(text.length).toBeLessThan(4000); // the argument itself is not echoed
    const r = await capture(runCommand, [over]);
    expect(r.code).toBe(2);
    expect(existsSync(join(overDir, 'artifacts'))).toBe(false);
  });

  it('counts multi-byte characters in bytes, and checks env entries as NAME=value', () => {
    const dir = tempDir();
    // 43,691 three-byte characters are 131,073 bytes: under the limit in characters, over it in bytes.
    const file = writePipeline(dir, node(`{ argv: [${OK}, '${'€'.repeat(43_691)}'] }`));
    expect(diagnosticsText(file)).toContain("param 'argv.3' is 131,074 bytes with its NUL");
    const env = writePipeline(dir, node(`{ argv: [${OK}], env: { BIG: '${'y'.repeat(MAX_ARG_STRLEN - 4)}' } }`), 'env.yaml');
    // BIG=… is 4 + 131,068 + NUL = 131,073 bytes.
    expect(diagnosticsText(env)).toMatch(/env\.yaml:5:\d+ error: param 'env\.BIG' is 131,073 bytes with its NUL/);
  });

  it('arguments that together exceed what any Linux passes are an error at argv, also when set by a matrix', () => {
    const dir = tempDir();
    const arg = 'z'.repeat(130_000);
    const file = writePipeline(dir, node(`{ argv: [${OK}, ${Array(49).fill(`'${arg}'`).join(', ')}] }`));
    expect(diagnosticsText(file)).toMatch(/p\.yaml:5:\d+ error: param 'argv' takes 6,370,\d{3} bytes, over the 6,291,456 bytes Linux passes to a command at most \(ARG_MAX\): .*the largest is argv\[3\] \(130,001 bytes\)/);
    const small = writePipeline(dir, node(`{ argv: [${OK}, '${'x'.repeat(10)}'] }\n    matrix: { argv.3: [a, '${'x'.repeat(MAX_ARG_STRLEN)}'] }`), 'matrix.yaml');
    expect(diagnosticsText(small)).toMatch(/matrix\.yaml:6:27 error: param 'argv\.3' is 131,073 bytes/);
    expect(() => load(writePipeline(dir, node(`{ argv: [${OK}, ${Array(40).fill(`'${arg}'`).join(', ')}] }`), 'under.yaml'))).not.toThrow();
  });

  it('a string that only the running machine makes too long (its environment) fails naming it, its size and what to do', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, node(`{ argv: [${OK}] }`));
    process.env.PIPE_TEST_HUGE = 'h'.repeat(200_000);
    try {
      const r = await run(file);
      expect(r.ok).toBe(false);
      expect(r.nodes[0]?.failure).toMatchObject({ type: 'node-failed' });
      expect((r.nodes[0]?.failure as { message: string }).message).toBe(
        `command sh could not start (E2BIG): environment variable PIPE_TEST_HUGE is 200,016 bytes, over Linux's limit of 131,072 bytes for one argument; pass it through a file instead: a 'files' param (its path is $PIPE_FILE_<name>) or an input ($PIPE_IN_<name>), read by the command or fed to its stdin (sh -c 'cmd < "$PIPE_FILE_<name>"')`,
      );
    } finally {
      delete process.env.PIPE_TEST_HUGE;
    }
  });
});

describe('exec argument limits of the running machine', () => {
  beforeAll(ensureCliBuilt, 300_000);

  it('arguments over the stack-derived limit (ulimit -s 8192: 2 MiB) fail naming the total, the limit and the largest argument', () => {
    const dir = tempDir();
    // 30 arguments of 100,000 bytes: 3 MB, under the 6 MiB of the load check, over this process's 2 MiB.
    const file = writePipeline(dir, node(`{ argv: [${OK}, ${Array(30).fill(`'${'w'.repeat(99_999)}'`).join(', ')}] }`));
    const bin = resolve(import.meta.dirname, '../../bin/pipe.js');
    const r = spawnSync('sh', ['-c', 'ulimit -s 8192 && exec "$0" "$@"', process.execPath, bin, 'run', file], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/command sh could not start \(E2BIG\): its arguments and environment take 3,\d{3},\d{3} bytes, over this machine's limit of 2,097,152 bytes \(a quarter of the stack size limit, ulimit -s\); the largest is argv\[\d+\] \(100,000 bytes\); pass it through a file instead/);
    expect(r.stderr.length).toBeLessThan(40_000);
  });
});
