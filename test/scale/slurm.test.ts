/**
 * The SLURM executor through the real binary against a real SLURM cluster (one host: scripts/slurm-local.sh). Same
 * keys and bytes as a local run, one batch job per node; scancel is a failed node with SLURM's reason and a rerun
 * resumes; bad input (partition, no sbatch, a store jobs cannot see) is refused before any job is submitted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePipeline } from '../engine/fixtures/helpers.js';
import { bin, lastRun, leftovers, longNode, pipe, ranIn, results, rows, until, wideBaseline } from './harness.js';
import type { Done } from './harness.js';
import { canUnshareMounts, slurmMissing } from './services.js';

let work: string;
let localResults: Record<string, [string, string]>;
beforeAll(async () => {
  ({ work, local: localResults } = await wideBaseline());
}, 300_000);

const noSlurm = slurmMissing();
if (noSlurm !== undefined) console.warn(`\n*** SKIPPING the SLURM tests: ${noSlurm} ***\n`);

describe.skipIf(noSlurm !== undefined)('slurm', () => {
  it('the wide DAG gives the same keys and bytes as a local run, each node a batch job; a rerun executes nothing', async () => {
    const store = join(work, 'slurm');
    const r = await pipe(['run', 'wide.yaml', '--store', store, '--executor', 'slurm'], work);
    expect(r.code, r.err).toBe(0);
    expect(results(store)).toEqual(localResults);
    const ran = rows(store).filter((x) => x.status === 'ran');
    expect(ran).toHaveLength(6);
    expect(ran.every((x) => x.executor === 'slurm' && /^slurm:\d+@/.test(x.worker ?? ''))).toBe(true);
    expect(leftovers(store)).toEqual([]);
    const again = await pipe(['run', 'wide.yaml', '--store', store, '--executor', 'slurm'], work);
    expect(again.code, again.err).toBe(0);
    expect(ranIn(store, lastRun(store))).toEqual([]);
  }, 120_000);

  it('scancel of a job: the node fails with SLURM\'s reason; a rerun resumes and completes; mem and time reach sbatch', async () => {
    const dir = join(work, 'scancel');
    mkdirSync(dir);
    const mark = join(dir, 'mark');
    writePipeline(dir, longNode(mark, "{ mem: 100M, time: '1h30m' }"));
    const run = pipe(['run', 'p.yaml', '--store', 'st', '--executor', 'slurm'], dir);
    await until(() => existsSync(mark), 'the job to start');
    const job = execFileSync('squeue', ['-h', '-o', '%i', '-n', 'pipe:long', '-t', 'running']).toString().trim().split('\n')[0] as string;
    const shown = execFileSync('scontrol', ['show', 'job', '-o', job]).toString();
    expect(shown).toContain('TimeLimit=01:30:00');
    expect(shown).toContain('MinMemoryNode=100M');
    execFileSync('scancel', [job]);
    const r = await run;
    expect(r.code).toBe(1);
    expect(r.err).toContain(`SLURM job ${job} cancelled (scancel or an administrator) (state CANCELLED): the attempt was terminated by SIGTERM before it finished; nothing was stored`);
    expect(leftovers(join(dir, 'st'))).toEqual([]); // the attempt released its key and removed its scratch directory
    const again = await pipe(['run', 'p.yaml', '--store', 'st', '--executor', 'slurm'], dir);
    expect(again.code, again.err).toBe(0);
    expect(ranIn(join(dir, 'st'), lastRun(join(dir, 'st')))).toEqual(['long']);
    expect(leftovers(join(dir, 'st'))).toEqual([]);
  }, 120_000);

  it('bad input is refused before any job is submitted (exit 2, nothing written): unknown partition, no sbatch, a store jobs cannot see', async () => {
    const part = await pipe(['run', 'wide.yaml', '--store', 'never', '--executor', 'slurm', '--slurm-partition', 'no-such-partition'], work);
    expect(part.code).toBe(2);
    expect(part.err).toContain("SLURM partition 'no-such-partition' does not exist");
    const path = await pipe(['run', 'wide.yaml', '--store', 'never', '--executor', 'slurm'], work, { PATH: '/nonexistent' });
    expect(path.code).toBe(2);
    expect(path.err).toContain('sbatch not found on PATH');
    expect(existsSync(join(work, 'never'))).toBe(false);
  });

  it.skipIf(!canUnshareMounts())('a store on a filesystem the compute nodes do not mount is refused (exit 2)', async () => {
    // The driver sees a private tmpfs that SLURM's jobs (started by slurmd, outside this mount namespace) do not.
    const hidden = join(work, 'hidden');
    mkdirSync(hidden);
    const r = await new Promise<Done>((res) => {
      const script = `mount -t tmpfs none '${hidden}' && exec '${process.execPath}' '${bin}' run '${join(work, 'wide.yaml')}' --executor slurm --store '${join(hidden, 'store')}'`;
      const child = spawn('unshare', ['-m', 'sh', '-c', script], { cwd: work, env: { ...process.env, CI: 'true' } });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => res({ code, out: '', err }));
    });
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`SLURM jobs cannot see the store ${join(hidden, 'store')}`);
  }, 60_000);
});
