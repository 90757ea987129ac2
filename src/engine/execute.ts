/**
 * The scheduler: walks the instances in dependency order, serves what the store has, hands the rest to an executor
 * (executor.ts: this machine's slots by default, or a SLURM cluster, or a queue of workers), records every node's
 * outcome, and stops or keeps going on failure.
 * Early cutoff falls out of content addressing: a rerun with identical bytes gives dependents identical keys.
 */
import { availableParallelism } from 'node:os';
import { cacheKey, classify, componentsOf, reasonText } from './classify.js';
import type { ReasonType } from './classify.js';
import type { Executor, NodeTask } from './executor.js';
import { localExecutor } from './executors/local.js';
import { refLabel, refSources } from './gather.js';
import type { ProgressUpdate } from './node-kind.js';
import type { NodeInstance, Pipeline } from './pipeline.js';
import { RunRecords } from './run-records.js';
import type { Capacity } from './slots.js';
import { CorruptObject, openStore } from './store.js';
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

/** Runs a validated pipeline against its store. Never throws for node failures (they are results). */
export async function runPipeline(pipeline: Pipeline, opts: RunOptions = {}): Promise<RunSummary> {
  const store: Store = openStore(pipeline.store);
  store.init();
  const records = new RunRecords(store, pipeline);
  const runId = records.runId;
  await records.begin(opts.signal);

  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort(opts.signal?.reason ?? new Error('cancelled'));
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const capacity = { cpu: Math.max(1, opts.jobs ?? availableParallelism()), gpu: Math.max(0, opts.gpus ?? 1) };
  const emit = opts.onEvent ?? (() => {});
  const results = new Map<string, Promise<NodeResult>>();
  const inflight = new Map<string, { id: string; done: Promise<NodeResult> }>();
  let firstFailure: string | undefined;
  let superseded = false;
  const running = new Map<AbortController, { key: string; started: boolean }>();
  opts.onControl?.({
    supersede(keep) {
      superseded = true;
      for (const [controller, r] of running) {
        if (!r.started || !keep.has(r.key)) controller.abort(new Error('superseded'));
      }
    },
  });
  const beforeStart = (): void => {
    if (superseded) throw new Error('superseded');
  };
  const factory = opts.executor ?? ((ctx) => localExecutor(ctx.store, { capacity: ctx.capacity, ...(ctx.logTail !== undefined ? { logTail: ctx.logTail } : {}), beforeStart: ctx.beforeStart }));
  const executor = await factory({ store, capacity, ...(opts.logTail !== undefined ? { logTail: opts.logTail } : {}), beforeStart });

  const byId = new Map(pipeline.instances.map((i) => [i.id, i]));
  // Producers being recomputed because an object they published failed verification (one recomputation each).
  const recomputed = new Set<string>();
  const keyOf = new Map<string, string>();
  /**
   * An input failed verification: quarantine the object (which invalidates the entries that used it), recompute its
   * producer(s) and try this node again with the fresh result. Gives up after two tries (the producer keeps making
   * an object that does not verify: the store's disk is failing).
   */
  const recover = async (input: string, problem: CorruptObject, inst: NodeInstance, key: string, attempt: number, fail: (message: string) => NodeResult): Promise<NodeResult> => {
    const invalidated = store.quarantine(problem);
    inflight.delete(key);
    const message = `input ${input}: ${problem.message}`;
    if (attempt >= 2) return fail(`${message}, again after recomputing it; check the store's disk (pipe fsck)`);
    const entries = invalidated.length === 1 ? 'entry' : 'entries';
    emit({ type: 'node-log', id: inst.id, line: `${message}: quarantined; ${invalidated.length} dependent cache ${entries} invalidated; recomputing its producer` });
    const ref = inst.inputs[input];
    for (const source of ref !== undefined ? refSources(ref) : []) {
      const producer = byId.get(source);
      if (producer === undefined || recomputed.has(source)) continue;
      recomputed.add(source);
      const producerKey = keyOf.get(source);
      if (producerKey !== undefined) inflight.delete(producerKey); // its execution in this run made the bad object
      results.set(source, processNode(producer));
    }
    return processNode(inst, attempt + 1);
  };

  const processNode = async (inst: NodeInstance, attempt = 0): Promise<NodeResult> => {
    // When the node itself started (inputs ready; reset when it starts executing), not when it began waiting.
    const clock = { startedAt: new Date().toISOString() };
    const done = (r: Omit<NodeResult, 'seconds' | 'id'>, seconds = 0, where: { executor?: string; worker?: string; queueWaitS?: number } = {}): NodeResult => {
      const result: NodeResult = { id: inst.id, seconds: Math.round(seconds * 1000) / 1000, ...r };
      records.node(inst, {
        status: result.status,
        reasonType: result.reasonType,
        reason: result.reason,
        key: result.key ?? null,
        seconds: result.seconds,
        startedAt: clock.startedAt,
        error: result.failure?.type === 'node-failed' ? result.failure.message : null,
        executor: where.executor ?? null,
        worker: where.worker ?? null,
        queueWaitS: where.queueWaitS ?? null,
      });
      emit({ type: 'node-done', result });
      return result;
    };
    // Inputs: wait for upstream results.
    const digests: Record<string, string> = {};
    const inputArtifacts: Record<string, Artifact> = {};
    for (const [name, ref] of Object.entries(inst.inputs)) {
      const parts: { label: string; artifact: Artifact }[] = [];
      for (const [i, source] of refSources(ref).entries()) {
        const up = await (results.get(source) as Promise<NodeResult>);
        const art = up.outputs?.[ref.output];
        if (art === undefined) {
          return done({
            status: 'skipped',
            reasonType: 'upstream',
            reason: `upstream '${source}' ${up.status === 'failed' ? 'failed' : 'did not run'}`,
            failure: { type: 'input-missing', input: name, from: refLabel(ref) },
          });
        }
        parts.push({ label: ref.gather?.[i]?.label ?? source, artifact: art });
      }
      const art = ref.gather !== undefined ? await store.putGather(parts) : (parts[0] as { artifact: Artifact }).artifact;
      digests[name] = art.digest;
      inputArtifacts[name] = art;
    }
    clock.startedAt = new Date().toISOString();
    if (abort.signal.aborted || superseded) {
      return done({ status: 'skipped', reasonType: 'cancelled', reason: cancelText(), failure: { type: 'aborted', message: cancelText() } });
    }
    const components = componentsOf(inst, digests);
    const key = cacheKey(components);
    keyOf.set(inst.id, key);
    const verdict = classify(store, pipeline.name, inst, key, components, opts.force?.has(inst.id) ?? false);
    // Records this key as the node's last one. On a cache hit the classifier has just read it (no second read);
    // after an execution it is read again, as a concurrent run may have recorded another key meanwhile.
    const remember = (lastKey: string | undefined = store.readLast(pipeline.name, inst.id)?.key): void => {
      if (lastKey !== key) store.writeLast({ pipeline: pipeline.name, nodeId: inst.id, key, components, time: new Date().toISOString() });
    };
    if (verdict.status === 'cached' && verdict.entry !== undefined) {
      remember(verdict.lastKey);
      return done({ status: 'cached', reasonType: 'cached', reason: reasonText('cached', []), key, outputs: verdict.entry.outputs });
    }
    // Instances with the same key share one execution.
    const shared = inflight.get(key);
    if (shared !== undefined) {
      const other = await shared.done;
      if (other.outputs !== undefined) {
        remember();
        return done({ status: 'cached', reasonType: 'shared', reason: `same key as ${shared.id}`, key, outputs: other.outputs });
      }
      const which = other.status === 'failed' ? 'failed' : 'did not run';
      return done({ status: 'skipped', reasonType: 'upstream', reason: `'${shared.id}' (same key) ${which}`, key });
    }
    const reason = reasonText(verdict.reason, verdict.changes);
    const task: NodeTask = { runId, pipeline: pipeline.name, inst, key, components, inputs: inputArtifacts, reasonType: verdict.reason, reason };
    const fail = (message: string): NodeResult => {
      firstFailure ??= inst.id;
      if (!opts.keepGoing) abort.abort(new Error(`${inst.id} failed`));
      return done({ status: 'failed', reasonType: 'failed', reason: message, key, failure: { type: 'node-failed', message, logTail: [] } });
    };
    const execution = execute(task, done, remember, clock).then((r) =>
      'corrupt' in r ? recover(r.corrupt.input, r.corrupt.problem, inst, key, attempt, fail) : r,
    );
    inflight.set(key, { id: inst.id, done: execution });
    return execution;
  };

  const cancelText = (): string =>
    firstFailure !== undefined
      ? `cancelled: '${firstFailure}' failed`
      : superseded
        ? 'cancelled: superseded by a newer run'
        : abort.signal.reason instanceof Error && abort.signal.reason.message === 'interrupted'
          ? 'cancelled: interrupted'
          : 'cancelled';

  /** Hands one task to the executor and turns its outcome into the node's result. */
  const execute = async (
    task: NodeTask,
    done: (r: Omit<NodeResult, 'seconds' | 'id'>, seconds?: number, where?: { executor?: string; worker?: string; queueWaitS?: number }) => NodeResult,
    remember: (lastKey?: string) => void,
    clock: { startedAt: string },
  ): Promise<NodeResult | { corrupt: { input: string; problem: CorruptObject } }> => {
    const { inst, key, reasonType, reason } = task;
    // This node's own cancellation: the whole run's, or a supersede that does not keep its key.
    const nodeAbort = new AbortController();
    const onRunAbort = (): void => nodeAbort.abort(abort.signal.reason);
    if (abort.signal.aborted) onRunAbort();
    abort.signal.addEventListener('abort', onRunAbort, { once: true });
    const tracked = { key, started: false };
    running.set(nodeAbort, tracked);
    let started: { worker: string; queueWaitS: number; t: number } | undefined;
    try {
      const outcome = await executor.run(
        task,
        {
          start: (s) => {
            tracked.started = true;
            started = { worker: s.worker, queueWaitS: s.queueWaitS, t: performance.now() };
            clock.startedAt = s.startedAt;
            emit({ type: 'node-start', id: inst.id, reason });
            records.node(inst, { status: 'running', reasonType, reason, key, seconds: null, startedAt: s.startedAt, executor: executor.name, worker: s.worker, queueWaitS: s.queueWaitS });
          },
          progress: (update) => emit({ type: 'node-progress', id: inst.id, update }),
          log: (line) => emit({ type: 'node-log', id: inst.id, line }),
          waiting: (holder) => emit({ type: 'node-waiting', id: inst.id, pid: Number(holder.slice(holder.lastIndexOf(':') + 1)), holder, key }),
        },
        nodeAbort.signal,
      );
      const where = started !== undefined ? { executor: executor.name, worker: started.worker, queueWaitS: started.queueWaitS } : {};
      const elapsed = started !== undefined ? (performance.now() - started.t) / 1000 : 0;
      switch (outcome.status) {
        case 'ran':
          for (const w of outcome.warnings ?? []) records.warn(w);
          records.bestEffort(() => remember());
          return done({ status: 'ran', reasonType, reason, key, outputs: outcome.outputs }, outcome.seconds, { ...where, worker: outcome.worker });
        case 'cached':
          remember();
          return done({ status: 'cached', reasonType: 'cached', reason: 'cache hit (computed by a concurrent run)', key, outputs: outcome.outputs });
        case 'corrupt':
          if (nodeAbort.signal.aborted) {
            return done({ status: 'skipped', reasonType: 'cancelled', reason: cancelText(), key, failure: { type: 'aborted', message: cancelText() } }, elapsed, where);
          }
          return { corrupt: { input: outcome.input, problem: new CorruptObject(outcome.artifact, outcome.object, outcome.problem) } };
        case 'cancelled':
          return done({ status: 'skipped', reasonType: 'cancelled', reason: cancelText(), key, failure: { type: 'aborted', message: cancelText() } }, elapsed, where);
        case 'failed': {
          if (nodeAbort.signal.aborted || superseded) {
            return done({ status: 'skipped', reasonType: 'cancelled', reason: cancelText(), key, failure: { type: 'aborted', message: cancelText() } }, elapsed, where);
          }
          firstFailure ??= inst.id;
          if (!opts.keepGoing) abort.abort(new Error(`${inst.id} failed`));
          const failure = { type: 'node-failed' as const, message: outcome.message, logTail: outcome.logTail };
          return done({ status: 'failed', reasonType: 'failed', reason: outcome.message, key, failure }, elapsed, { ...where, ...(outcome.worker ? { worker: outcome.worker } : {}) });
        }
      }
    } finally {
      running.delete(nodeAbort);
      abort.signal.removeEventListener('abort', onRunAbort);
    }
  };

  const selected = pipeline.instances.filter((i) => opts.only === undefined || opts.only.has(i.id));
  let nodes: NodeResult[];
  try {
    for (const inst of selected) results.set(inst.id, processNode(inst));
    await Promise.all(selected.map((i) => results.get(i.id) as Promise<NodeResult>));
    // A producer recomputed after a corrupt object replaced its result: report the final one.
    nodes = await Promise.all(selected.map((i) => results.get(i.id) as Promise<NodeResult>));
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    await executor.close();
  }
  const ok = nodes.every((n) => n.status === 'ran' || n.status === 'cached');
  records.end(ok ? 'ok' : opts.signal?.aborted ? 'cancelled' : 'failed');
  return { runId, ok, nodes, warnings: records.warnings };
}
