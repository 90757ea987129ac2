/**
 * What a run records about itself: its `runs` rows and marker (so gc waits for it and readers can tell a live run
 * from a dead one), and one `node_runs` row per node state change. Rows are batched per event-loop turn (a cached
 * run of hundreds of nodes is one write); finished work is already durable through its cache entry, so a kill loses
 * at most the rows of one turn.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ReasonType } from './classify.js';
import { processStart } from './lock.js';
import type { NodeInstance, Pipeline } from './pipeline.js';
import type { RunMarker } from './run-status.js';
import type { Store } from './store.js';
import { StoreDamage } from './store/untrusted.js';

/** A node_runs row's outcome part. */
export interface NodeRow {
  readonly status: 'running' | 'ran' | 'cached' | 'failed' | 'skipped';
  readonly reasonType: ReasonType;
  readonly reason: string;
  readonly key: string | null;
  readonly seconds: number | null;
  readonly startedAt: string;
  readonly error?: string | null;
  /** Where it executed (only for rows of nodes that executed). */
  readonly executor?: string | null;
  readonly worker?: string | null;
  readonly queueWaitS?: number | null;
}

export class RunRecords {
  readonly runId = `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  private readonly started = new Date().toISOString();
  // host and pid_start let readers tell a run in progress from one whose process died (run-status.ts).
  private readonly self = { pid: process.pid, host: hostname(), pid_start: processStart(process.pid) ?? null };
  private endRun: (() => void) | undefined;
  private buffer: object[] = [];
  /** Problems that did not stop the run (records that could not be written, damaged store files ignored). */
  readonly warnings: string[] = [];

  constructor(
    private readonly store: Store,
    private readonly pipeline: Pipeline,
  ) {}

  /** Registers the run on the store (waiting out a gc in progress) and records its start. */
  async begin(signal?: AbortSignal): Promise<void> {
    const row: RunMarker = { run_id: this.runId, pipeline: this.pipeline.name, file: this.pipeline.file, ...this.self, started: this.started };
    this.endRun = await this.store.locks.beginRun(row, signal);
    try {
      this.store.append('runs', [{ ...row, finished: null, status: 'running' }]);
    } catch (e) {
      // A damaged records file (a link, a FIFO) only loses records; anything else (a full disk) stops the run.
      if (e instanceof StoreDamage) return this.warn(`records not written: ${e.message}`);
      this.endRun();
      throw e;
    }
  }

  /** A node_runs row (readers keep the last row per run and node: 'running' first, then the outcome). */
  node(inst: NodeInstance, r: NodeRow): void {
    if (this.buffer.length === 0) setImmediate(() => this.flush());
    this.buffer.push({
      run_id: this.runId,
      pipeline: this.pipeline.name,
      node_id: inst.id,
      kind: inst.kind.kind,
      cache_key: r.key,
      status: r.status,
      reason_type: r.reasonType,
      reason: r.reason,
      seconds: r.seconds,
      started: r.startedAt,
      finished: r.status === 'running' ? null : new Date().toISOString(),
      error: r.error ?? null,
      executor: r.executor ?? null,
      worker: r.worker ?? null,
      axes: inst.binding,
      overrides: inst.overrides,
      queue_wait_s: r.queueWaitS === undefined || r.queueWaitS === null ? null : Math.round(r.queueWaitS * 1000) / 1000,
    });
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    this.bestEffort(() => this.store.append('node_runs', rows));
  }

  /** Runs a records write; a failure (a full disk) becomes a warning, never a failed node or run. */
  bestEffort(write: () => void): void {
    try {
      write();
    } catch (e) {
      this.warn(`records not written: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** The run's final row; ends its registration. */
  end(status: 'ok' | 'failed' | 'cancelled'): void {
    this.flush();
    this.bestEffort(() =>
      this.store.append('runs', [
        { run_id: this.runId, pipeline: this.pipeline.name, file: this.pipeline.file, ...this.self, started: this.started, finished: new Date().toISOString(), status },
      ]),
    );
    this.endRun?.();
    for (const d of this.store.damage()) this.warn(`damaged store file ${d.file} ignored: ${d.problem} (pipe fsck checks the whole store)`);
  }
}
