/**
 * A node task as data, for attempts that run in another process on another machine (a SLURM job, a queue worker):
 * the driver writes it, the remote side rebuilds the task from its own node library and runs it with the node
 * runner against the shared store, reporting through the attempt channel.
 *
 * The remote side refuses a task its own code would compute differently: the kind's implementation hash and runtime
 * fingerprint (pipe version, onnxruntime, …) must equal the ones in the task's key, so a result is never stored
 * under a key that does not describe how it was made.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { channelWriter } from './attempt-channel.js';
import { canonicalJson } from './canonical-json.js';
import type { ReasonType } from './classify.js';
import type { AttemptOutcome, NodeTask } from './executor.js';
import { implementationHash } from './impl-hash.js';
import { cacheKey, pipeVersion } from './key.js';
import type { KeyComponents } from './key.js';
import type { NodeLibrary, NodeResources } from './node-kind.js';
import { runNodeTask } from './node-runner.js';
import type { NodeInstance } from './pipeline.js';
import { openStore } from './store.js';
import type { Artifact } from './store.js';

/** What travels to the remote side (JSON). */
export interface TaskSpec {
  readonly format: 'pipe-task/1';
  /** The store as the driver sees it (a worker may mount it elsewhere: `pipe worker --store`). */
  readonly store: string;
  /** Attempt id: names its channel (and SLURM files) under the store's jobs/. */
  readonly id: string;
  readonly runId: string;
  readonly pipeline: string;
  readonly nodeId: string;
  readonly kind: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly outputs: readonly string[];
  readonly resources: NodeResources;
  readonly key: string;
  readonly components: KeyComponents;
  readonly inputs: Readonly<Record<string, Artifact>>;
  readonly reasonType: ReasonType;
  readonly reason: string;
}

/** The spec of a task, for attempt `id`. */
export function specOf(task: NodeTask, store: string, id: string): TaskSpec {
  const { inst } = task;
  return {
    format: 'pipe-task/1',
    store,
    id,
    runId: task.runId,
    pipeline: task.pipeline,
    nodeId: inst.id,
    kind: inst.kind.kind,
    params: inst.params,
    seed: inst.seed,
    outputs: inst.outputs,
    resources: inst.resources,
    key: task.key,
    components: task.components,
    inputs: task.inputs,
    reasonType: task.reasonType,
    reason: task.reason,
  };
}

/** Rebuilds the task from a spec with this process's library; throws with the reason when this side cannot run it. */
export function taskFromSpec(spec: TaskSpec, library: NodeLibrary): NodeTask {
  if (spec?.format !== 'pipe-task/1') throw new Error('not a pipe task (format pipe-task/1)');
  const kind = library.kinds.find((k) => k.kind === spec.kind);
  if (kind === undefined) throw new Error(`this pipe has no node kind '${spec.kind}'`);
  const c = spec.components;
  if (cacheKey(c) !== spec.key) throw new Error('task key does not match its components');
  if (implementationHash(kind.module).hash !== c.implementation.hash) {
    throw new Error(`this machine's code for '${spec.kind}' differs from the driver's (implementation hash); install the same pipe version on every machine`);
  }
  const runtime = { pipe: pipeVersion(), ...(kind.fingerprint?.(spec.params) ?? {}) };
  if (canonicalJson(runtime) !== canonicalJson(c.runtime)) {
    throw new Error(`this machine's runtime differs from the driver's: ${canonicalJson(runtime)} here, ${canonicalJson(c.runtime)} in the key`);
  }
  const inst: NodeInstance = {
    id: spec.nodeId,
    baseId: spec.nodeId,
    kind,
    params: spec.params,
    keyParams: c.params,
    inputs: {},
    outputs: spec.outputs,
    resources: spec.resources,
    seed: spec.seed,
    binding: {},
    overrides: {},
    files: [],
  };
  return { runId: spec.runId, pipeline: spec.pipeline, inst, key: spec.key, components: c, inputs: spec.inputs, reasonType: spec.reasonType, reason: spec.reason };
}

/** How long a failed attempt waits for a stop signal that may be on its way (see runRemoteTask). */
const TERMINATION_GRACE_MS = 500;

export interface RemoteOptions {
  readonly library: NodeLibrary;
  /** The store's location on this machine (default: the driver's path). */
  readonly store?: string;
  /** Who runs it, e.g. `host:pid` or `slurm:<job>@host:pid`. */
  readonly worker?: string;
  readonly signal: AbortSignal;
  /**
   * Asked when the attempt ends cancelled: true when the task goes back to a queue for another attempt (a worker
   * stopping, or one that lost its hold on the job). Then no outcome is written, and the driver keeps following the
   * channel for the next attempt's.
   */
  readonly requeued?: () => boolean;
  /**
   * The signal that told this process to stop (SIGTERM from scancel or a SLURM time limit), if one did: an attempt
   * it ended before the node finished is reported as a failure saying so (it stored nothing).
   */
  readonly terminated?: () => string | undefined;
}

/**
 * Runs a task spec here: writes start/progress/log/end to its channel and returns the outcome. A task this side
 * cannot run (unknown kind, other code, store not mounted) is a failed outcome, not an exception.
 */
export async function runRemoteTask(spec: TaskSpec, opts: RemoteOptions): Promise<AttemptOutcome> {
  const worker = opts.worker ?? `${hostname()}:${process.pid}`;
  const root = opts.store ?? spec.store;
  const store = openStore(root);
  const channel = store.attempts.jobFile(`${spec.id}.events`);
  if (!existsSync(channel)) {
    // The driver creates the channel before submitting: without it this machine does not see the store.
    throw new Error(`store ${root} is not visible on ${hostname()}; put it on a filesystem every machine mounts (or pass --store)`);
  }
  const send = channelWriter(channel);
  let outcome: AttemptOutcome;
  try {
    const task = taskFromSpec(spec, opts.library);
    outcome = await runNodeTask(store, task, {
      signal: opts.signal,
      worker,
      hooks: {
        start: (startedAt) => send({ t: 'start', worker, startedAt }),
        progress: (update) => send({ t: 'progress', update }),
        log: (line) => send({ t: 'log', line }),
        waiting: (holder) => send({ t: 'waiting', holder }),
      },
    });
  } catch (e) {
    outcome = { status: 'failed', message: e instanceof Error ? e.message : String(e), logTail: [], engine: true, worker };
  }
  // scancel and a time limit signal every process of the job at once: the node's command can die of its copy (a
  // plain failure, "command failed: SIGTERM") before this process has run its own handler. A failure waits that long.
  if (opts.terminated !== undefined && outcome.status === 'failed' && opts.terminated() === undefined) await sleep(TERMINATION_GRACE_MS);
  const sig = opts.terminated?.();
  if (sig !== undefined && outcome.status !== 'ran' && outcome.status !== 'cached') {
    const logTail = outcome.status === 'failed' ? outcome.logTail : [];
    outcome = { status: 'failed', message: `terminated by ${sig} before it finished; nothing was stored`, logTail, engine: true, worker, signal: sig };
  }
  if (!(outcome.status === 'cancelled' && opts.requeued?.() === true)) send({ t: 'end', outcome });
  return outcome;
}
