/**
 * What a run reports: each node's result and events, the options a caller runs with, and the run's summary. Shared
 * by the scheduler's parts (execute.ts and what it calls) and by callers (the CLI's reporters, watch).
 */
import type { ReasonType } from './classify.js';
import type { Executor, NodeTask } from './executor.js';
import type { ProgressUpdate } from './node-kind.js';
import type { Capacity } from './slots.js';
import type { Artifact, Store } from './store.js';

/** `skipped`: the node did not run (an upstream failed, the run was cancelled or superseded); `reason` says why. */
export type NodeStatus = 'ran' | 'cached' | 'failed' | 'skipped';

/** Why a run did not produce a node (exhaustively handled by the CLI). */
export type RunFailure =
  | { readonly type: 'node-failed'; readonly message: string; readonly logTail: readonly string[] }
  | { readonly type: 'input-missing'; readonly input: string; readonly from: string }
  | { readonly type: 'cache-corrupt'; readonly message: string }
  | { readonly type: 'aborted'; readonly message: string };

export interface NodeResult {
  readonly id: string;
  readonly status: NodeStatus;
  readonly reasonType: ReasonType;
  readonly reason: string;
  readonly seconds: number;
  readonly key?: string;
  readonly outputs?: Readonly<Record<string, Artifact>>;
  readonly failure?: RunFailure;
}

export type RunEvent =
  | { readonly type: 'node-start'; readonly id: string; readonly reason: string }
  | { readonly type: 'node-progress'; readonly id: string; readonly update: ProgressUpdate }
  | { readonly type: 'node-log'; readonly id: string; readonly line: string }
  /** `holder`: `host:pid` of the process computing the same key; `pid` its pid. */
  | { readonly type: 'node-waiting'; readonly id: string; readonly pid: number; readonly holder: string; readonly key: string }
  | { readonly type: 'node-done'; readonly result: NodeResult };

export interface RunOptions {
  /** Concurrent CPU slots (default: available cores). */
  readonly jobs?: number;
  /** GPU slots (default 1). */
  readonly gpus?: number;
  /** Instance ids to rerun regardless of the cache. */
  readonly force?: ReadonlySet<string>;
  /** Instance ids to run (already closed over ancestors); default all. */
  readonly only?: ReadonlySet<string>;
  readonly keepGoing?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: RunEvent) => void;
  /** Lines of log kept for failure messages. */
  readonly logTail?: number;
  /** Receives a handle to supersede this run (used by `watch`). */
  readonly onControl?: (control: RunControl) => void;
  /** Where nodes execute (default: this machine's slots). */
  readonly executor?: ExecutorFactory;
}

/** Makes the run's executor, given the store and this machine's slots (--jobs, --gpus). */
export type ExecutorFactory = (ctx: {
  readonly store: Store;
  readonly capacity: Capacity;
  readonly logTail?: number;
  readonly beforeStart: (task: NodeTask) => void;
}) => Executor | Promise<Executor>;

/** Lets a caller retire a run in favour of a newer one without losing work both runs need. */
export interface RunControl {
  /**
   * Starts nothing more; cancels running nodes whose cache key is not in `keep`. Kept nodes finish and publish
   * (a newer run waiting on the same key then gets them from the cache).
   */
  supersede(keep: ReadonlySet<string>): void;
}

export interface RunSummary {
  readonly runId: string;
  readonly ok: boolean;
  readonly nodes: readonly NodeResult[];
  /** Problems that did not stop the run: damaged store files ignored, records that could not be written. */
  readonly warnings: readonly string[];
}
