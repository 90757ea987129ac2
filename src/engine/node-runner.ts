/**
 * The node runner: one attempt at one node task against the store, wherever it runs (the driver's process for the
 * local executor, a SLURM job, a queue worker). Takes the key's heartbeat lock, serves the key if another attempt
 * finished it meanwhile, checks out private verified copies of the inputs, runs the node in a private scratch
 * directory, publishes its outputs, then its cache entry, then its records. An input that fails verification is a
 * `corrupt` outcome: the scheduler quarantines it and recomputes its producer. A killed attempt publishes nothing: its scratch directory is removed by whoever next takes the
 * key (the lock names it), and its resume directory is what the next attempt resumes from.
 */
import { rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { NodeFailure, runAttempt } from './attempt.js';
import { classify } from './classify.js';
import { clip } from './clip.js';
import type { AttemptOutcome, NodeTask } from './executor.js';
import type { ProgressUpdate } from './node-kind.js';
import { CorruptObject } from './store.js';
import type { Artifact, Store } from './store.js';
import { UnstorableOutput } from './store/describe.js';

/** What the runner reports while it works (the executor forwards these to the scheduler). */
export interface RunnerHooks {
  /** The attempt starts executing (lock held, not cached). */
  readonly start?: (startedAt: string) => void;
  readonly progress?: (u: ProgressUpdate) => void;
  readonly log?: (line: string) => void;
  readonly waiting?: (holder: string) => void;
}

export interface RunnerOptions {
  readonly signal: AbortSignal;
  /** Who runs it (recorded with the outcome). */
  readonly worker: string;
  readonly hooks?: RunnerHooks;
  /** Lines of log kept for failure messages. */
  readonly logTail?: number;
  /** Called once the lock is held and before the node runs; throwing stops the attempt (used by `supersede`). */
  readonly beforeStart?: () => void;
}

/** Runs `task` once against `store`. Never throws: failures and cancellation are outcomes. */
export async function runNodeTask(store: Store, task: NodeTask, opts: RunnerOptions): Promise<AttemptOutcome> {
  const { inst, key, runId, pipeline } = task;
  const hooks = opts.hooks ?? {};
  const tail: string[] = [];
  const tailMax = opts.logTail ?? 20;
  const abort = new AbortController();
  const onOuter = (): void => abort.abort(opts.signal.reason);
  if (opts.signal.aborted) onOuter();
  opts.signal.addEventListener('abort', onOuter, { once: true });
  const signal = abort.signal;
  let lost = false;
  let staging: string | undefined;
  let release: (() => void) | undefined;
  let runStart = performance.now();
  let started = false;
  try {
    staging = await store.attempts.tempDir(`attempt-${inst.id}`);
    const scratch = basename(staging);
    release = await store.locks.key(key, {
      signal,
      attempt: scratch,
      onWait: (pid, host) => hooks.waiting?.(`${host ?? '?'}:${pid}`),
      // The holder died mid-attempt: its scratch directory goes with its lock.
      onBreak: (info) => {
        if (typeof info?.attempt === 'string' && info.attempt !== scratch) store.attempts.discardTemp(info.attempt);
      },
      onLost: () => {
        lost = true;
        abort.abort(new Error('lock lost'));
      },
    });
    // Another attempt (another run, another worker) may have finished this key while we waited.
    const again = classify(store, pipeline, inst, key, task.components, false);
    if (again.status === 'cached' && again.entry !== undefined && task.reasonType !== 'forced') {
      return { status: 'cached', outputs: again.entry.outputs, worker: opts.worker };
    }
    opts.beforeStart?.();
    runStart = performance.now();
    // This attempt is now the latest: an earlier one's failure no longer explains the key's state.
    store.attempts.clearFailure(key);
    started = true;
    hooks.start?.(new Date().toISOString());
    const inputs = await checkoutInputs(store, task.inputs, join(staging, 'in'));
    const writeLog = store.attempts.openLog(key, inst.id);
    const metrics: [string, number, number | null][] = [];
    const outDir = await runAttempt({
      id: inst.id,
      runId,
      kind: inst.kind,
      params: inst.params,
      seed: inst.seed,
      inputs,
      outputs: inst.outputs,
      staging,
      resumeDir: store.attempts.resumeDir(key),
      cpus: inst.resources.cpu,
      signal,
      hooks: {
        progress: (update) => hooks.progress?.(update),
        log: (full) => {
          const line = clip(full, 8000);
          tail.push(line);
          if (tail.length > tailMax) tail.shift();
          writeLog(line);
          hooks.log?.(line);
        },
        metric: (name, value, step) => {
          metrics.push([name, value, step]);
          store.append('metrics', [{ run_id: runId, pipeline, node_id: inst.id, cache_key: key, name, value, step, time: new Date().toISOString() }]);
        },
        record: (table, rows) => {
          store.appendTable(table, rows.map((r) => ({ ...r, node_id: inst.id, cache_key: key, run_id: runId })));
        },
      },
    });
    if (lost) throw new Error('lock lost');
    const outputs: Record<string, Artifact> = {};
    for (const name of inst.outputs) outputs[name] = await store.ingest(join(outDir, name), name);
    const seconds = (performance.now() - runStart) / 1000;
    const created = new Date().toISOString();
    const { components } = task;
    store.writeEntry({ key, components, outputs, metrics, pipeline, nodeId: inst.id, runId, created, seconds });
    // The result is stored (the entry is what counts): records that cannot be written now (a full disk) are a
    // warning, never a failed node.
    const warnings: string[] = [];
    try {
      store.append('cache_keys', [
        {
          cache_key: key,
          pipeline,
          node_id: inst.id,
          kind: components.kind,
          implementation: components.implementation.hash,
          params: JSON.stringify(components.params),
          inputs: JSON.stringify(components.inputs),
          seed: components.seed,
          runtime: JSON.stringify(components.runtime),
          run_id: runId,
          created,
        },
      ]);
      store.append(
        'artifacts',
        Object.entries(outputs).map(([output, a]) => ({ digest: a.digest, type: a.type, size: a.size, cache_key: key, node_id: inst.id, output, pipeline, run_id: runId, created })),
      );
      store.attempts.clearResume(key);
    } catch (e) {
      warnings.push(`records not written: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    return { status: 'ran', outputs, seconds, worker: opts.worker, ...(warnings.length > 0 ? { warnings } : {}) };
  } catch (e) {
    if (lost) {
      return { status: 'failed', message: 'lost the lock on its cache key (this attempt stalled longer than the lock time-to-live)', logTail: [...tail], engine: true, worker: opts.worker };
    }
    if (signal.aborted) return { status: 'cancelled' };
    if (e instanceof CorruptInput) {
      const c = e.problem;
      return { status: 'corrupt', input: e.input, artifact: c.artifact, object: c.object, problem: c.problem, message: e.message, worker: opts.worker };
    }
    // A failure message can quote a node's whole command line (megabytes): records and terminals get the start.
    const message = clip(e instanceof Error ? e.message : String(e), 2000);
    const nodesFault = e instanceof NodeFailure || e instanceof UnstorableOutput;
    if (!nodesFault) {
      // Not the node's fault: a store or engine problem. An environment error (ENOSPC, EROFS…) by its message alone;
      // anything else with its stack, as it is a bug.
      const environment = typeof (e as NodeJS.ErrnoException).code === 'string';
      tail.push(`(engine) ${e instanceof Error && e.stack && !environment ? e.stack : message}`);
    }
    // Kept for the next plan of this key, which then says the attempt failed rather than that it was cut off.
    if (started) {
      try {
        store.attempts.noteFailure(key, message);
      } catch {
        /* a full disk: the next plan only says less */
      }
    }
    return { status: 'failed', message, logTail: [...tail], engine: !nodesFault, worker: opts.worker };
  } finally {
    release?.();
    opts.signal.removeEventListener('abort', onOuter);
    if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
  }
}

/** An input that failed verification when it was checked out. */
class CorruptInput extends Error {
  constructor(
    readonly input: string,
    readonly problem: CorruptObject,
  ) {
    super(`input ${input}: ${problem.message}`);
  }
}

/** Private, verified copies of a node's inputs under `dir` (input name → path). */
async function checkoutInputs(store: Store, artifacts: Readonly<Record<string, Artifact>>, dir: string): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const paths: Record<string, string> = {};
  for (const [name, art] of Object.entries(artifacts)) {
    const dest = join(dir, name);
    try {
      await store.checkout(art, dest);
    } catch (e) {
      if (e instanceof CorruptObject) throw new CorruptInput(name, e);
      throw e;
    }
    paths[name] = dest;
  }
  return paths;
}
