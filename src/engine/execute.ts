/**
 * The executor: walks the instances in dependency order, serves what the store has, runs the rest (in-process, or in
 * a child process for kinds that ask to be isolated; bounded by resource slots), publishes outputs, records every
 * execution, and stops or keeps going on failure.
 * Early cutoff falls out of content addressing: a rerun with identical bytes gives dependents identical keys.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { NodeFailure, runAttempt } from './attempt.js';
import { cacheKey, classify, componentsOf, reasonText } from './classify.js';
import { clip } from './clip.js';
import type { ReasonType } from './classify.js';
import { refLabel, refSources } from './gather.js';
import { processStart } from './lock.js';
import type { ProgressUpdate } from './node-kind.js';
import type { NodeInstance, Pipeline } from './pipeline.js';
import type { RunMarker } from './run-status.js';
import { Slots } from './slots.js';
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
  | { readonly type: 'node-waiting'; readonly id: string; readonly pid: number; readonly key: string }
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
}

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
  const runId = `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const started = new Date().toISOString();
  // host and pid_start let readers tell a run in progress from one whose process died (run-status.ts).
  const self = { pid: process.pid, host: hostname(), pid_start: processStart(process.pid) ?? null };
  const markerRow: RunMarker = { run_id: runId, pipeline: pipeline.name, file: pipeline.file, ...self, started };
  const endRun = await store.locks.beginRun(markerRow, opts.signal);
  store.append('runs', [{ ...markerRow, finished: null, status: 'running' }]);

  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort(opts.signal?.reason ?? new Error('cancelled'));
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const slots = new Slots({ cpu: Math.max(1, opts.jobs ?? availableParallelism()), gpu: Math.max(0, opts.gpus ?? 1) });
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

  // node_runs rows are batched per event-loop turn (one write for a whole cached run); finished work is already
  // durable through its cache entry, so a kill loses at most the rows of one turn.
  let rowBuffer: object[] = [];
  const warnings: string[] = [];
  const recordsBestEffort = (write: () => void): void => {
    try {
      write();
    } catch (e) {
      const message = `records not written: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      if (!warnings.includes(message)) warnings.push(message);
    }
  };
  const flushRows = (): void => {
    if (rowBuffer.length === 0) return;
    const rows = rowBuffer;
    rowBuffer = [];
    recordsBestEffort(() => store.append('node_runs', rows));
  };
  const record = (inst: NodeInstance, r: NodeResult, startedAt: string): void => {
    pushRow({
      run_id: runId,
      pipeline: pipeline.name,
      node_id: inst.id,
      kind: inst.kind.kind,
      cache_key: r.key ?? null,
      status: r.status,
      reason_type: r.reasonType,
      reason: r.reason,
      seconds: r.seconds,
      started: startedAt,
      finished: new Date().toISOString(),
      error: r.failure?.type === 'node-failed' ? r.failure.message : null,
      axes: inst.binding,
      overrides: inst.overrides,
    });
  };
  const pushRow = (row: object): void => {
    if (rowBuffer.length === 0) setImmediate(flushRows);
    rowBuffer.push(row);
  };
  // A node that starts executing gets a 'running' row (readers keep the last row per run and node), so queries see
  // what is running now, and what was running when a run died (derived as 'interrupted').
  const recordStart = (inst: NodeInstance, key: string, reasonType: ReasonType, reason: string, startedAt: string): void => {
    pushRow({
      run_id: runId,
      pipeline: pipeline.name,
      node_id: inst.id,
      kind: inst.kind.kind,
      cache_key: key,
      status: 'running',
      reason_type: reasonType,
      reason,
      seconds: null,
      started: startedAt,
      finished: null,
      error: null,
      axes: inst.binding,
      overrides: inst.overrides,
    });
  };

  const byId = new Map(pipeline.instances.map((i) => [i.id, i]));
  // Producers being recomputed because an object they published failed verification (one recomputation each).
  const recomputed = new Set<string>();
  const keyOf = new Map<string, string>();
  /**
   * An input failed verification: quarantine the object (which invalidates the entries that used it), recompute its
   * producer(s) and try this node again with the fresh result. Gives up after two tries (the producer keeps making
   * an object that does not verify: the store's disk is failing).
   */
  const recover = async (c: CorruptInput, inst: NodeInstance, key: string, attempt: number, fail: (message: string) => NodeResult): Promise<NodeResult> => {
    const invalidated = store.quarantine(c.problem);
    inflight.delete(key);
    const message = `input ${c.input}: ${c.problem.message}`;
    if (attempt >= 2) return fail(`${message}, again after recomputing it; check the store's disk (pipe fsck)`);
    const entries = invalidated.length === 1 ? 'entry' : 'entries';
    emit({ type: 'node-log', id: inst.id, line: `${message}: quarantined; ${invalidated.length} dependent cache ${entries} invalidated; recomputing its producer` });
    const ref = inst.inputs[c.input];
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
    const t0 = performance.now();
    const done = (r: Omit<NodeResult, 'seconds' | 'id'>, seconds = 0): NodeResult => {
      const result: NodeResult = { id: inst.id, seconds: Math.round(seconds * 1000) / 1000, ...r };
      record(inst, result, clock.startedAt);
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
    const fail = (message: string): NodeResult => {
      firstFailure ??= inst.id;
      if (!opts.keepGoing) abort.abort(new Error(`${inst.id} failed`));
      return done({ status: 'failed', reasonType: 'failed', reason: message, key, failure: { type: 'node-failed', message, logTail: [] } });
    };
    const execution = execute(inst, key, components, verdict.reason, reason, inputArtifacts, t0, done, remember, clock).catch((e: unknown) => {
      if (e instanceof CorruptInput) return recover(e, inst, key, attempt, fail);
      throw e;
    });
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

  const execute = async (
    inst: NodeInstance,
    key: string,
    components: ReturnType<typeof componentsOf>,
    reasonType: ReasonType,
    reason: string,
    inputArtifacts: Record<string, Artifact>,
    t0: number,
    done: (r: Omit<NodeResult, 'seconds' | 'id'>, seconds?: number) => NodeResult,
    remember: (lastKey?: string) => void,
    clock: { startedAt: string },
  ): Promise<NodeResult> => {
    const req = slots.fit(inst.resources);
    const tail: string[] = [];
    const tailMax = opts.logTail ?? 20;
    let release: (() => void) | undefined;
    let staging: string | undefined;
    let runStart = t0;
    // This node's own cancellation: the whole run's, or a supersede that does not keep its key.
    const nodeAbort = new AbortController();
    const onRunAbort = (): void => nodeAbort.abort(abort.signal.reason);
    if (abort.signal.aborted) onRunAbort();
    abort.signal.addEventListener('abort', onRunAbort, { once: true });
    const tracked = { key, started: false };
    running.set(nodeAbort, tracked);
    const signal = nodeAbort.signal;
    try {
      await slots.acquire(req, signal);
      try {
        release = await store.locks.key(key, {
          signal,
          onWait: (pid) => emit({ type: 'node-waiting', id: inst.id, pid, key }),
        });
        // Another process may have finished this key while we waited.
        const again = classify(store, pipeline.name, inst, key, components, false);
        if (again.status === 'cached' && again.entry !== undefined && reasonType !== 'forced') {
          remember();
          return done({ status: 'cached', reasonType: 'cached', reason: 'cache hit (computed by a concurrent run)', key, outputs: again.entry.outputs });
        }
        if (superseded) throw new Error('superseded');
        tracked.started = true;
        runStart = performance.now();
        clock.startedAt = new Date().toISOString();
        emit({ type: 'node-start', id: inst.id, reason });
        recordStart(inst, key, reasonType, reason, clock.startedAt);
        staging = await store.attempts.tempDir(inst.id);
        const inputs = await checkoutInputs(store, inputArtifacts, join(staging, 'in'));
        const writeLog = store.attempts.openLog(key);
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
            progress: (update) => emit({ type: 'node-progress', id: inst.id, update }),
            log: (full) => {
              const line = clip(full, 8000);
              tail.push(line);
              if (tail.length > tailMax) tail.shift();
              writeLog(line);
              emit({ type: 'node-log', id: inst.id, line });
            },
            metric: (name, value, step) => {
              metrics.push([name, value, step]);
              store.append('metrics', [{ run_id: runId, pipeline: pipeline.name, node_id: inst.id, cache_key: key, name, value, step, time: new Date().toISOString() }]);
            },
            record: (table, rows) => {
              store.appendTable(table, rows.map((r) => ({ ...r, node_id: inst.id, cache_key: key, run_id: runId })));
            },
          },
        });
        const outputs: Record<string, Artifact> = {};
        for (const name of inst.outputs) outputs[name] = await store.ingest(join(outDir, name), name);
        const seconds = (performance.now() - runStart) / 1000;
        const created = new Date().toISOString();
        store.writeEntry({ key, components, outputs, metrics, pipeline: pipeline.name, nodeId: inst.id, runId, created, seconds });
        // The result is stored (the entry is what counts): records that cannot be written now (a full disk) are a
        // warning, never a failed node.
        recordsBestEffort(() => {
          store.append('cache_keys', [
            {
              cache_key: key,
              pipeline: pipeline.name,
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
            Object.entries(outputs).map(([output, a]) => ({
              digest: a.digest,
              type: a.type,
              size: a.size,
              cache_key: key,
              node_id: inst.id,
              output,
              pipeline: pipeline.name,
              run_id: runId,
              created,
            })),
          );
          store.attempts.clearResume(key);
          remember();
        });
        return done({ status: 'ran', reasonType, reason, key, outputs }, seconds);
      } finally {
        release?.();
        slots.release(req);
      }
    } catch (e) {
      const seconds = (performance.now() - runStart) / 1000;
      if (e instanceof CorruptInput && !signal.aborted) throw e;
      if (signal.aborted || superseded) {
        return done({ status: 'skipped', reasonType: 'cancelled', reason: cancelText(), key, failure: { type: 'aborted', message: cancelText() } }, seconds);
      }
      // A failure message can quote a node's whole command line (megabytes): records and terminals get the start.
      const message = clip(e instanceof Error ? e.message : String(e), 2000);
      if (!(e instanceof NodeFailure)) {
        // Not the node's fault: a store or engine problem. Still a failed node, clearly labelled (an environment
        // error such as ENOSPC by its message alone; anything else with its stack, as it is a bug).
        const environment = typeof (e as NodeJS.ErrnoException).code === 'string';
        tail.push(`(engine) ${e instanceof Error && e.stack && !environment ? e.stack : message}`);
      }
      firstFailure ??= inst.id;
      if (!opts.keepGoing) abort.abort(new Error(`${inst.id} failed`));
      return done({ status: 'failed', reasonType: 'failed', reason: message, key, failure: { type: 'node-failed', message, logTail: [...tail] } }, seconds);
    } finally {
      running.delete(nodeAbort);
      abort.signal.removeEventListener('abort', onRunAbort);
      if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
    }
  };

  const selected = pipeline.instances.filter((i) => opts.only === undefined || opts.only.has(i.id));
  for (const inst of selected) results.set(inst.id, processNode(inst));
  await Promise.all(selected.map((i) => results.get(i.id) as Promise<NodeResult>));
  // A producer recomputed after a corrupt object replaced its result: report the final one.
  const nodes = await Promise.all(selected.map((i) => results.get(i.id) as Promise<NodeResult>));
  opts.signal?.removeEventListener('abort', onOuterAbort);
  flushRows();
  const ok = nodes.every((n) => n.status === 'ran' || n.status === 'cached');
  recordsBestEffort(() =>
    store.append('runs', [
      {
        run_id: runId,
        pipeline: pipeline.name,
        file: pipeline.file,
        ...self,
        started,
        finished: new Date().toISOString(),
        status: ok ? 'ok' : opts.signal?.aborted ? 'cancelled' : 'failed',
      },
    ]),
  );
  endRun();
  for (const d of store.damage()) warnings.push(`damaged store file ${d.file} ignored: ${d.problem} (pipe fsck checks the whole store)`);
  return { runId, ok, nodes, warnings };
}

/** An input that failed verification when it was checked out for a node. */
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
