/**
 * `pipe attempt` (what a SLURM job runs) stopped by SIGTERM, as scancel and SLURM's time limit stop it: it reports
 * an outcome saying it was terminated by that signal, stops the node's processes, leaves nothing in the store
 * (no lock, no scratch directory, no cache entry), and exits 143. No SLURM needed: the attempt runs as a plain
 * process, from a task spec made by the built engine exactly as the SLURM executor makes it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt } from '../build-cli.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { bin, leftovers, root, until } from './harness.js';

/** The built engine and library (the attempt checks the spec against the built code's implementation hashes). */
async function built(): Promise<{
  loadPipeline: (file: string, opts: object) => { pipeline?: { instances: unknown[] } };
  componentsOf: (inst: unknown, digests: object) => unknown;
  cacheKey: (c: unknown) => string;
  specOf: (task: object, store: string, id: string) => object;
  openStore: (dir: string) => { init(): void; attempts: { jobFile(name: string): string } };
  library: unknown;
}> {
  const dist = (p: string): Promise<Record<string, unknown>> => import(join(root, 'dist', p));
  const [load, classify, remote, store, nodes] = await Promise.all([dist('engine/load.js'), dist('engine/classify.js'), dist('engine/remote-task.js'), dist('engine/store.js'), dist('nodes/index.js')]);
  return { ...load, ...classify, ...remote, ...store, library: nodes.library } as never;
}

describe('pipe attempt on SIGTERM', () => {
  beforeAll(async () => {
    await ensureCliBuilt();
  }, 300_000);

  it('writes a terminated-by-SIGTERM outcome, stops the node process, leaves nothing in the store, and exits 143', async () => {
    const e = await built();
    const dir = tempDir('pipe-attempt-term-');
    const mark = join(dir, 'mark');
    const file = writePipeline(
      dir,
      `name: a
nodes:
  long:
    kind: exec
    params:
      argv: [sh, -c, 'echo $$ > "$MARK"; sleep 60; echo long > "$PIPE_OUT/o"']
      env: { MARK: '${mark}' }
    outputs: [o]
`,
    );
    const inst = e.loadPipeline(file, { library: e.library }).pipeline?.instances[0];
    const components = e.componentsOf(inst, {});
    const key = e.cacheKey(components);
    const task = { runId: 'run1', pipeline: 'a', inst, key, components, inputs: {}, reasonType: 'new', reason: 'no previous run' };
    const storeDir = join(dir, 'st');
    const store = e.openStore(storeDir);
    store.init();
    const channel = store.attempts.jobFile('run1-attempt.events');
    writeFileSync(channel, '');
    const specFile = join(dir, 'task.json');
    writeFileSync(specFile, JSON.stringify(e.specOf(task, storeDir, 'run1-attempt')));

    const child = spawn(process.execPath, [bin, 'attempt', specFile], { cwd: dir, env: { ...process.env, SLURM_JOB_ID: '4242' } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    await until(() => existsSync(mark) && readFileSync(mark, 'utf8').trim() !== '', 'the node to start');
    const shell = Number(readFileSync(mark, 'utf8'));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'still running'>((res) => setTimeout(() => res('still running'), 20_000))]);
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const shellLeft = alive(shell);
    for (const pid of [child.pid as number, shell]) {
      try {
        process.kill(pid, 'SIGKILL'); // whatever a failed run of this test would leave
      } catch {
        /* gone, as it should be */
      }
    }
    expect(code, err).toBe(143);
    expect(shellLeft).toBe(false); // the node's own process was stopped with it

    const events = readFileSync(channel, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: string; outcome?: Record<string, unknown> });
    expect(events.filter((x) => x.t === 'end')).toHaveLength(1);
    expect(events.at(-1)?.outcome).toMatchObject({
      status: 'failed',
      message: 'terminated by SIGTERM before it finished; nothing was stored',
      engine: true,
      signal: 'SIGTERM',
      worker: `slurm:4242@${(events[0] as unknown as { worker: string }).worker.split('@')[1]}`,
    });
    expect(err).toContain('pipe attempt: long: failed: terminated by SIGTERM');
    // Nothing was stored or left behind but the channel itself (which the driver removes).
    expect(leftovers(storeDir)).toEqual(['jobs/run1-attempt.events']);
    expect(existsSync(join(storeDir, 'cache', `${key}.json`))).toBe(false);
    mkdirSync(join(storeDir, 'cache'), { recursive: true });
    expect(readdirSync(join(storeDir, 'cache')).filter((f) => f.endsWith('.json'))).toEqual([]);
  }, 60_000);
});
