/** The shared command front (commander, from each command's spec): every usage problem is exit 2 with a one-line message. */
import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/commands/audit.js';
import { gcCommand } from '../../src/cli/commands/gc.js';
import { lsCommand } from '../../src/cli/commands/ls.js';
import { planCommand } from '../../src/cli/commands/plan.js';
import { queryCommand } from '../../src/cli/commands/query.js';
import { reportCommand } from '../../src/cli/commands/report.js';
import { showCommand } from '../../src/cli/commands/show.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

describe('command arguments', () => {
  it('an unknown option: exit 2, the parser message and the usage', async () => {
    const r = await capture(planCommand, ['--bogus', 'p.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("pipe plan: unknown option '--bogus'\nRun 'pipe help plan' for its arguments and options.\n");
  });

  it('a wrong number of positionals: exit 2 naming what was expected', async () => {
    expect((await capture(planCommand, [])).err).toMatch(/^pipe plan: missing required argument 'pipeline.yaml'\nRun 'pipe help plan'/);
    expect((await capture(reportCommand, ['a.yaml', 'b.yaml'])).code).toBe(2);
    expect((await capture(queryCommand, [])).err).toMatch(/^pipe query: missing required argument 'sql'/);
    expect((await capture(showCommand, ['a', 'b'])).err).toMatch(/^pipe show: too many arguments for 'show'. Expected 1 argument but got 2/);
    expect((await capture(lsCommand, ['a.yaml', 'b.yaml'])).err).toMatch(/^pipe ls: too many arguments for 'ls'. Expected 1 argument but got 2/);
    const gc = await capture(gcCommand, ['extra']);
    expect(gc.code).toBe(2);
    expect(gc.err).toMatch(/^pipe gc: too many arguments for 'gc'. Expected 0 arguments but got 1/);
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const r = await capture(auditCommand, ['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: pipe audit/);
    expect(r.err).toBe('');
  });

  it('an invalid pipeline: its located diagnostics and exit 2', async () => {
    const file = writePipeline(tempDir(), 'name: x\nnodes:\n  a: { kind: t.nope }\n');
    const r = await capture(reportCommand, [file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/p\.yaml:3:\d+/);
    expect(r.err).toContain('t.nope');
  });
});
