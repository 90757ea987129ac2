/** `pipe gc` names what it would delete, and `pipe keep` protects a result from it. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gcCommand } from '../../src/cli/commands/gc.js';
import { keepCommand } from '../../src/cli/commands/keep.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { showCommand } from '../../src/cli/commands/show.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

const yaml = (v: string) => `name: pins\nnodes:\n  a: { kind: t.value, params: { value: ${v} } }\n`;

describe('pipe gc and pipe keep', () => {
  it('--dry-run names each superseded result (pipeline, node, age, key); a pinned one is kept', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml('one'));
    const store = join(dir, 'artifacts');
    await capture(runCommand, [file]);
    const first = JSON.parse((await capture(showCommand, ['a', '--store', store, '--json'])).out) as { key: string };
    writePipeline(dir, yaml('two'));
    await capture(runCommand, [file]);

    const dry = await capture(gcCommand, ['--store', store, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('would delete 1 superseded result:\n');
    expect(dry.out).toMatch(new RegExp(`\\n  pins / a +\\d+ s old +key ${first.key.slice(0, 12)} +\\(keep it: pipe keep --key ${first.key.slice(0, 12)}\\)\\n`));

    const pinned = await capture(keepCommand, ['--key', first.key.slice(0, 12), '--store', store, '--note', 'value one']);
    expect(pinned).toMatchObject({ code: 0, out: `pinned pins / a (${first.key.slice(0, 12)}): pipe gc keeps it\n` });
    expect((await capture(keepCommand, ['--list', '--store', store])).out).toMatch(new RegExp(`^pins / a  ${first.key.slice(0, 12)}  pinned \\S+  value one\\n$`));
    const gc = await capture(gcCommand, ['--store', store]);
    expect(gc.out).not.toContain('superseded result');
    expect(gc.out).toMatch(/kept 2 cache entries/);

    expect((await capture(keepCommand, ['--key', first.key.slice(0, 12), '--remove', '--store', store])).code).toBe(0);
    expect((await capture(gcCommand, ['--store', store])).out).toContain('deleted 1 superseded result:\n');
  });

  it('bad input: no node, an unknown node, a malformed key', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml('one'));
    await capture(runCommand, [file]);
    const store = join(dir, 'artifacts');
    expect((await capture(keepCommand, ['--store', store])).code).toBe(2);
    expect((await capture(keepCommand, ['zz', '--store', store])).err).toContain("no results for node 'zz'");
    expect((await capture(keepCommand, ['--key', 'xyz', '--store', store])).err).toMatch(/--key must be 8 to 64 hex digits/);
  });
});
