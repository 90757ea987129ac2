/**
 * The executor seam. The scheduler (schedule.ts) decides what is ready and whether the store already has it; an
 * executor runs one node attempt somewhere — in this process (`local`), as a SLURM batch job, or on a queue worker —
 * and reports how it went. Every executor ends in the same node runner (node-runner.ts) against the same store, so
 * cache keys and outputs do not depend on where a node ran.
 */
import type { ReasonType } from './classify.js';
import type { KeyComponents } from './key.js';
import type { ProgressUpdate } from './node-kind.js';
import type { NodeInstance } from './pipeline.js';
import type { Artifact } from './store.js';

/** One node attempt to make: the instance, its inputs (already in the store) and its key. */
export interface NodeTask {
  readonly runId: string;
  readonly pipeline: string;
  readonly inst: NodeInstance;
  readonly key: string;
  readonly components: KeyComponents;
  readonly inputs: Readonly<Record<string, Artifact>>;
  readonly reasonType: ReasonType;
  readonly reason: string;
}

/** Where and when an attempt started executing. */
export interface AttemptStart {
  /** Who executes it: `host:pid` of the process, or `slurm:<job id>@<host>:<pid>`. */
  readonly worker: string;
  /** ISO time the node started executing. */
  readonly startedAt: string;
  /** Seconds between handing the attempt to the executor and its start (queue wait, SLURM pending time). */
  readonly queueWaitS: number;
}

/** What an executor tells the scheduler while an attempt runs. */
export interface AttemptEvents {
  /** The attempt holds the key's lock and starts executing (not called when it finds the result cached). */
  start(s: AttemptStart): void;
  progress(u: ProgressUpdate): void;
  log(line: string): void;
  /** Another process is computing the same key; the attempt waits for it. */
  waiting(holder: string): void;
}

/** How an attempt ended. */
export type AttemptOutcome =
  /** `warnings`: records that could not be written after the result was stored (the result counts). */
  | {
      readonly status: 'ran';
      readonly outputs: Readonly<Record<string, Artifact>>;
      readonly seconds: number;
      readonly worker: string;
      readonly warnings?: readonly string[];
    }
  /** Computed meanwhile by another run or attempt: nothing executed. */
  | { readonly status: 'cached'; readonly outputs: Readonly<Record<string, Artifact>>; readonly worker: string }
  /**
   * `engine`: not the node's fault (store, engine, or the executor itself: a job SLURM killed, a lost worker).
   * `signal`: the attempt's process was told to stop by this signal (scancel, a SLURM time limit) and stored nothing.
   */
  | {
      readonly status: 'failed';
      readonly message: string;
      readonly logTail: readonly string[];
      readonly engine: boolean;
      readonly worker?: string;
      readonly signal?: string;
    }
  | { readonly status: 'cancelled' }
  /** An input failed verification (CorruptObject's fields): the scheduler quarantines it and recomputes its producer. */
  | {
      readonly status: 'corrupt';
      readonly input: string;
      readonly artifact: string;
      readonly object: string;
      readonly problem: 'missing' | 'corrupt' | 'damaged';
      readonly message: string;
      readonly worker?: string;
    };

export interface Executor {
  /** `local`, `slurm` or `redis` (recorded in node_runs.executor). */
  readonly name: string;
  /** Runs one attempt. Never throws for node failures; resolves `cancelled` once `signal` aborted it. */
  run(task: NodeTask, events: AttemptEvents, signal: AbortSignal): Promise<AttemptOutcome>;
  /**
   * The run's selected instances, before any runs: an executor that owns its slots holds them for the nodes of
   * priority above 0 until they start (slots.ts). Optional: the cluster executors leave ordering to their queue.
   */
  expect?(instances: readonly NodeInstance[]): void;
  /** Instance `id` has its result for this run (ran, served, skipped or failed): it will not ask for slots again. */
  settle?(id: string): void;
  /** Releases connections (queues, pollers). */
  close(): Promise<void>;
}
