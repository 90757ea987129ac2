/**
 * The SLURM executor: every ready node becomes one batch job (`sbatch`), sized from the node's `resources`
 * (`--cpus-per-task`, `--gres=gpu:N`, `--mem`, `--time`), that runs `pipe attempt` on a
 * compute node against the shared store. The driver follows its jobs with `squeue` (and `scontrol` for jobs squeue
 * has forgotten; accounting need not be enabled), streams their progress and logs from the attempt channel, cancels
 * them with `scancel` on Ctrl-C, and reports a job that SLURM ended without an outcome (scancel, time limit, out of
 * memory, node failure) as a failed node with SLURM's state and reason.
 *
 * The store must be on a filesystem every node mounts: `checkSlurm` proves it with a probe job before any node is
 * submitted. The compute nodes run this same installation of pipe (node and bin/pipe.js at the same paths).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Executor } from '../executor.js';
import type { NodeResources } from '../node-kind.js';
import { specOf } from '../remote-task.js';
import type { Store } from '../store.js';
import { followRemote } from './follow.js';

export interface SlurmOptions {
  readonly partition?: string;
  readonly account?: string;
  /** More sbatch arguments, e.g. `--mem=8G`, `--time=2:00:00`, `--qos=…`. */
  readonly extraArgs: readonly string[];
}

/** SLURM job states after which a job never runs again. */
const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE']);

const EXPLAIN: Readonly<Record<string, string>> = {
  CANCELLED: 'cancelled (scancel or an administrator)',
  TIMEOUT: 'hit its time limit',
  OUT_OF_MEMORY: 'ran out of memory',
  NODE_FAIL: 'its node failed',
  PREEMPTED: 'was preempted',
  BOOT_FAIL: 'its node failed to boot',
  DEADLINE: 'missed its deadline',
  FAILED: 'failed',
  COMPLETED: 'completed without reporting an outcome',
};

/** How long an ended job's attempt may take to report its own outcome (SLURM's state is the failure after). */
const OUTCOME_GRACE_MS = 3000;

function run(cmd: string, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(cmd, [...args], { encoding: 'utf8', timeout: 60_000 }, (e, out, err) => {
      const code = e === null ? 0 : typeof (e as { code?: unknown }).code === 'number' ? ((e as { code: number }).code) : 127;
      done({ code, out, err: err || (e !== null && code === 127 ? e.message : '') });
    });
  });
}

/** Whether `cmd` is an executable on PATH. */
function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

function sbatchArgs(opts: SlurmOptions): string[] {
  return [
    ...(opts.partition !== undefined ? [`--partition=${opts.partition}`] : []),
    ...(opts.account !== undefined ? [`--account=${opts.account}`] : []),
    ...opts.extraArgs,
  ];
}

/** A `resources.time` as whole minutes (sbatch --time=<minutes>), rounded up. */
export function timeMinutes(time: number | string): number {
  if (typeof time === 'number') return Math.max(1, Math.ceil(time));
  const unit: Record<string, number> = { d: 1440, h: 60, m: 1, s: 1 / 60 };
  let minutes = 0;
  for (const [, n, u] of time.matchAll(/([0-9]+)([dhms])/g)) minutes += Number(n) * (unit[u as string] ?? 0);
  return Math.max(1, Math.ceil(minutes));
}

/** sbatch arguments for a node's resources: --cpus-per-task, --gres=gpu:N, --mem, --time. */
export function resourceArgs(r: NodeResources): string[] {
  return [
    `--cpus-per-task=${Math.max(1, r.cpu)}`,
    ...(r.gpu > 0 ? [`--gres=gpu:${r.gpu}`] : []),
    ...(r.mem !== undefined ? [`--mem=${r.mem}`] : []),
    ...(r.time !== undefined ? [`--time=${timeMinutes(r.time)}`] : []),
  ];
}

const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** Submits a batch script; resolves with the job id, or throws with sbatch's message. */
async function submit(args: readonly string[], script: string): Promise<string> {
  const r = await run('sbatch', ['--parsable', ...args, `--wrap=${script}`]);
  const id = r.out.trim().split(';')[0] ?? '';
  if (r.code !== 0 || !/^\d+$/.test(id)) throw new Error(`sbatch refused the job: ${(r.err || r.out).trim().split('\n').pop()}`);
  return id;
}

/** State and reason of jobs, from squeue (all states, while slurmctld remembers them), else scontrol. */
async function jobStates(ids: readonly string[]): Promise<Map<string, { state: string; reason: string }>> {
  const states = new Map<string, { state: string; reason: string }>();
  if (ids.length === 0) return states;
  const q = await run('squeue', ['-h', '-t', 'all', '-o', '%i|%T|%r', '-j', ids.join(',')]);
  if (q.code === 0) {
    for (const line of q.out.split('\n')) {
      const [id, state, reason] = line.trim().split('|');
      if (id && state) states.set(id, { state, reason: reason ?? '' });
    }
  }
  for (const id of ids) {
    if (states.has(id)) continue;
    const s = await run('scontrol', ['show', 'job', '-o', id]);
    const field = (name: string): string => new RegExp(`\\b${name}=(\\S+)`).exec(s.out)?.[1] ?? '';
    states.set(id, s.code === 0 ? { state: field('JobState'), reason: field('Reason') } : { state: 'GONE', reason: 'no longer known to SLURM' });
  }
  return states;
}

/** Waits until a job is in a terminal state; resolves with its `scontrol` fields. */
async function waitForJob(id: string, timeoutMs: number): Promise<{ state: string; reason: string; exit: string }> {
  const t0 = Date.now();
  for (;;) {
    const s = await run('scontrol', ['show', 'job', '-o', id]);
    const field = (name: string): string => new RegExp(`\\b${name}=(\\S+)`).exec(s.out)?.[1] ?? '';
    if (s.code === 0 && TERMINAL.has(field('JobState'))) return { state: field('JobState'), reason: field('Reason'), exit: field('ExitCode') };
    if (Date.now() - t0 > timeoutMs) {
      await run('scancel', [id]);
      return { state: field('JobState') || 'UNKNOWN', reason: `did not finish within ${Math.round(timeoutMs / 1000)} s`, exit: '' };
    }
    await sleep(300);
  }
}

/**
 * Everything checkable before a node is submitted: sbatch on PATH, the partition exists, sbatch accepts the
 * account and extra arguments, and a probe job can see the store's directory. Throws a one-line message.
 */
export async function checkSlurm(opts: SlurmOptions, storeDir: string): Promise<void> {
  for (const tool of ['sbatch', 'squeue', 'scontrol', 'scancel']) {
    if (!onPath(tool)) throw new Error(`${tool} not found on PATH; run pipe on a SLURM login node (or install SLURM's client commands)`);
  }
  if (opts.partition !== undefined) {
    const p = await run('scontrol', ['show', 'partition', '-o', opts.partition]);
    if (p.code !== 0 || !p.out.includes(`PartitionName=${opts.partition}`)) {
      const all = await run('sinfo', ['-h', '-o', '%P']);
      throw new Error(`SLURM partition '${opts.partition}' does not exist (partitions: ${all.out.split('\n').filter(Boolean).join(', ') || 'none'})`);
    }
  }
  // The store (or, before its first run, its nearest existing parent) must be visible from a compute node.
  let dir = resolve(storeDir);
  while (!existsSync(dir)) dir = dirname(dir);
  const token = join(dir, `.pipe-slurm-probe-${randomUUID().slice(0, 12)}`);
  writeFileSync(token, '');
  try {
    const id = await submit(['--job-name=pipe-probe', '--cpus-per-task=1', '--output=/dev/null', ...sbatchArgs(opts)], `test -f ${quote(token)}`);
    const timeout = Number(process.env.PIPE_SLURM_PROBE_S) > 0 ? Number(process.env.PIPE_SLURM_PROBE_S) * 1000 : 300_000;
    const end = await waitForJob(id, timeout);
    if (end.state !== 'COMPLETED' || !end.exit.startsWith('0:')) {
      if (end.state === 'FAILED' && end.exit.startsWith('1:')) {
        throw new Error(`SLURM jobs cannot see the store ${storeDir} (probe job ${id} did not find ${dir}); put the store on a filesystem every node mounts (NFS, Lustre) and pass it with --store`);
      }
      throw new Error(`SLURM probe job ${id} ended ${end.state}${end.reason && end.reason !== 'None' ? ` (${end.reason})` : ''}; check the partition and account`);
    }
  } finally {
    rmSync(token, { force: true });
  }
}

/** An executor that submits each node as a SLURM batch job. Call `checkSlurm` first. */
export function slurmExecutor(store: Store, opts: SlurmOptions): Executor {
  const pipeBin = fileURLToPath(new URL('../../../bin/pipe.js', import.meta.url));
  // One squeue call a second for all of this run's jobs.
  const tracked = new Map<string, { state: string; reason: string } | undefined>();
  let poll: Promise<void> | undefined;
  let lastPoll = 0;
  const refresh = async (): Promise<void> => {
    if (poll !== undefined) return poll;
    if (Date.now() - lastPoll < 900) return;
    poll = (async () => {
      const states = await jobStates([...tracked.keys()]);
      for (const [id, s] of states) if (tracked.has(id)) tracked.set(id, s);
      lastPoll = Date.now();
    })().finally(() => (poll = undefined));
    return poll;
  };
  return {
    name: 'slurm',
    run: (task, events, signal) =>
      followRemote(store, task, events, signal, async (id, file) => {
        const specFile = file('.json');
        const outFile = file('.out');
        writeFileSync(specFile, JSON.stringify(specOf(task, store.location, id)));
        let job: string;
        try {
          job = await submit(
            [
              `--job-name=pipe:${task.inst.id}`.slice(0, 120),
              ...resourceArgs(task.inst.resources),
              `--output=${outFile}`,
              ...sbatchArgs(opts),
            ],
            `exec ${quote(process.execPath)} ${quote(pipeBin)} attempt ${quote(specFile)}`,
          );
        } catch (e) {
          return { failed: { status: 'failed', message: (e as Error).message, logTail: [], engine: true } };
        }
        tracked.set(job, undefined);
        let endedAt: number | undefined;
        const ended = (s: { state: string; reason: string } | undefined): string | undefined => {
          if (s === undefined || !(TERMINAL.has(s.state) || s.state === 'GONE')) return undefined;
          const why = EXPLAIN[s.state] ?? s.state;
          const reason = s.reason && s.reason !== 'None' ? `, reason ${s.reason}` : '';
          return `SLURM job ${job} ${why} (state ${s.state}${reason})`;
        };
        return {
          cancel: () => void run('scancel', [job]),
          // A job that ended gets a few seconds for its attempt's own outcome (one stopped by scancel or the time
          // limit writes one on SIGTERM) before SLURM's state is the failure.
          gone: async () => {
            await refresh();
            const why = ended(tracked.get(job));
            if (why === undefined) return undefined;
            endedAt ??= performance.now();
            return performance.now() - endedAt >= OUTCOME_GRACE_MS ? why : undefined;
          },
          // What the job itself printed (SLURM's output file) goes into the failure's log tail.
          end: () => tracked.delete(job),
          explain: async (outcome) => {
            const out = existsSync(outFile) ? readFileSync(outFile, 'utf8').split('\n').filter(Boolean).slice(-10) : [];
            const logTail = [...outcome.logTail, ...out.map((l) => `(slurm) ${l}`)];
            // Stopped by a signal (scancel, the time limit): SLURM's state says which, once the job has ended.
            let message = outcome.message;
            if (outcome.signal !== undefined) {
              let why: string | undefined;
              for (let i = 0; i < 10 && why === undefined; i++) {
                why = ended((await jobStates([job])).get(job));
                if (why === undefined) await sleep(500);
              }
              message = `${why ?? `SLURM job ${job} was stopped (scancel or its time limit)`}: the attempt was ${outcome.message}`;
            }
            return { ...outcome, message, logTail, ...(outcome.worker ? {} : { worker: `slurm:${job}` }) };
          },
        };
      }),
    async close() {},
  };
}
