/**
 * Which store `query`/`ls`/`show`/`gc` read without --store: the README flow (`pipe run pipelines/x.yaml`, then
 * `pipe query …` from the repository root), `store:` relative to the pipeline file, --pipeline FILE, and a clear
 * error when there is none.
 */
import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gcCommand } from '../../src/cli/commands/gc.js';
import { lsCommand } from '../../src/cli/commands/ls.js';
import { queryCommand } from '../../src/cli/commands/query.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { showCommand } from '../../src/cli/commands/show.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

const yaml = (name: string, extra = '') => `name: ${name}\n${extra}nodes:\n  a: { kind: t.value, params: { value: ${name} } }\n`;
const count = "SELECT count(*) AS n FROM runs";
/** A query, with the fixture library's view warnings (its views need tables these pipelines do not record) dropped. */
async function query(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const r = await capture(queryCommand, args, { cwd });
  return { ...r, err: r.err.split('\n').filter((l) => !l.includes('warning: skipping view')).join('\n') };
}

/** A repository-like directory: <root>/pipelines/<file>. */
function repo(): { root: string; pipelines: string } {
  const root = tempDir('pipe-repo-');
  const pipelines = join(root, 'pipelines');
  mkdirSync(pipelines);
  return { root, pipelines };
}

describe('store resolution', () => {
  it("store: ../artifacts is relative to the pipeline file, not the working directory", async () => {
    const { root, pipelines } = repo();
    const file = writePipeline(pipelines, yaml('p', 'store: ../artifacts\n'), 'p.yaml');
    expect((await capture(runCommand, [file])).code).toBe(0);
    expect(existsSync(join(root, 'artifacts', 'meta', 'runs.jsonl'))).toBe(true);
    expect(existsSync(join(pipelines, 'artifacts'))).toBe(false);
    // ./artifacts from the repository root is then the obvious store: no note.
    const q = await query([count, '--csv'], root);
    expect([q.code, q.out, q.err]).toEqual([0, 'n\n1\n', '']);
  });

  it('README flow: run pipelines/x.yaml, then query from the root finds pipelines/artifacts and says so', async () => {
    const { root, pipelines } = repo();
    const file = writePipeline(pipelines, yaml('x'), 'x.yaml');
    await capture(runCommand, [file]);
    const q = await query([count, '--csv'], root);
    expect([q.code, q.out, q.err]).toEqual([0, 'n\n1\n', 'using store pipelines/artifacts\n']);
    const ls = await capture(lsCommand, [], { cwd: root });
    expect(ls.out).toMatch(/^x:\n {2}a {2}stored/);
    expect((await capture(showCommand, ['a'], { cwd: root })).out).toMatch(/^x \/ a\n/);
    expect((await capture(gcCommand, ['--dry-run'], { cwd: root })).err).toBe('using store pipelines/artifacts\n');
  });

  it('several pipelines with their own stores: the most recently run one; --pipeline FILE picks one', async () => {
    const { root, pipelines } = repo();
    const one = writePipeline(pipelines, yaml('one', 'store: one-store\n'), 'one.yaml');
    const two = writePipeline(pipelines, yaml('two', 'store: two-store\n'), 'two.yaml');
    await capture(runCommand, [one]);
    await capture(runCommand, [two]);
    await capture(runCommand, [two, '--force', 'a']);
    utimesSync(join(pipelines, 'one-store', 'meta', 'runs.jsonl'), new Date(), new Date(Date.now() + 60_000));
    const q = await query([count, '--csv'], root);
    expect([q.out, q.err]).toEqual(['n\n1\n', 'using store pipelines/one-store\n']);
    const picked = await query([count, '--csv', '--pipeline', 'pipelines/two.yaml'], root);
    expect([picked.out, picked.err]).toEqual(['n\n2\n', '']);
    const shown = await capture(showCommand, ['a', '--pipeline', 'pipelines/two.yaml', '--json'], { cwd: root });
    expect((JSON.parse(shown.out) as { pipeline: string; history: unknown[] })).toMatchObject({ pipeline: 'two', history: [{}, {}] });
    expect((await query([count, '--store', 'x', '--pipeline', 'y'], root)).code).toBe(2);
  });

  it('elsewhere, with no store in sight: a clear error, not some other project\'s store', async () => {
    const dir = tempDir();
    await capture(runCommand, [writePipeline(dir, yaml('l', 'store: s\n'))]);
    const empty = tempDir('pipe-empty-');
    const none = await query([count], empty);
    expect(none.code).toBe(2);
    expect(none.err).toBe(`pipe query: no pipe store found from ${empty} (run a pipeline first, or pass --store DIR or --pipeline FILE)\n`);
    const named = await query([count, '--csv', '--pipeline', join(dir, 'p.yaml')], empty);
    expect([named.code, named.out]).toEqual([0, 'n\n1\n']);
  });
});
