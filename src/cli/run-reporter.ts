/**
 * Progress display for `pipe run` / `pipe watch`: plain lines on stderr (with --json, CI=true or no TTY), or an
 * animated listr2 view on a terminal. Both consume the executor's events; neither affects results.
 */
import type { NodeResult, RunEvent } from '../engine/execute.js';

/** Receives executor events; `close` flushes the display. */
export interface Reporter {
  readonly onEvent: (e: RunEvent) => void;
  close(): Promise<void>;
}

/** Whether to use plain lines rather than the animated view. */
export function wantsPlain(json: boolean): boolean {
  return json || !process.stderr.isTTY || (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false');
}

const STATUS_TAG: Readonly<Record<NodeResult['status'], string>> = {
  ran: 'done',
  cached: 'cached',
  failed: 'FAILED',
  skipped: 'skipped',
};

/**
 * Plain line reporter: one line per state change, progress throttled to one line per node per second. Lines are
 * batched per event-loop turn (a cached run of hundreds of nodes is one write, not hundreds).
 */
export function plainReporter(writeLine: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Reporter {
  const lastProgress = new Map<string, number>();
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    writeLine(lines.join('\n'));
  };
  const write = (line: string): void => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(line);
  };
  return {
    onEvent(e) {
      switch (e.type) {
        case 'node-start':
          write(`[run] ${e.id}: ${e.reason}`);
          break;
        case 'node-progress': {
          const now = Date.now();
          const last = lastProgress.get(e.id) ?? 0;
          const final = e.update.total !== undefined && e.update.done >= e.update.total;
          if (now - last < 1000 && !final) break;
          lastProgress.set(e.id, now);
          write(`[${e.id}] ${formatProgress(e.update)}`);
          break;
        }
        case 'node-log':
          break;
        case 'node-waiting':
          write(
            e.pid === process.pid
              ? `[wait] ${e.id}: waiting for the previous run, which is still computing the same key (${e.key.slice(0, 12)})`
              : `[wait] ${e.id}: waiting for pid ${e.pid}, which is computing the same key (${e.key.slice(0, 12)})`,
          );
          break;
        case 'node-done':
          write(formatResult(e.result));
          break;
      }
    },
    async close() {
      flush();
    },
  };
}

/** One node of `pipe run --json` (the command contract): status is ran, cached or failed. */
export interface JsonNode {
  readonly id: string;
  readonly status: 'ran' | 'cached' | 'failed';
  readonly reason: string;
  readonly seconds: number;
}

/**
 * A result as `--json` reports it. The contract has no 'skipped': a node that never ran (upstream failed,
 * cancelled, superseded) is 'failed' with a reason that says it did not run and why (`not run: upstream 'a' failed`).
 */
export function jsonNode(r: NodeResult): JsonNode {
  if (r.status === 'skipped') return { id: r.id, status: 'failed', reason: `not run: ${r.reason}`, seconds: r.seconds };
  return { id: r.id, status: r.status, reason: r.reason, seconds: r.seconds };
}

/** `12/100 steps (message)`. */
export function formatProgress(u: { done: number; total?: number; unit?: string; message?: string }): string {
  const count = u.total !== undefined ? `${u.done}/${u.total}` : String(u.done);
  return `${count}${u.unit ? ` ${u.unit}` : ''}${u.message ? ` ${u.message}` : ''}`;
}

/** One line (plus the log tail for a failure). */
export function formatResult(r: NodeResult): string {
  const tag = `[${STATUS_TAG[r.status]}]`;
  if (r.status === 'ran') return `${tag} ${r.id} (${r.seconds.toFixed(2)}s)`;
  if (r.status === 'cached') return `${tag} ${r.id}${r.reason === 'cache hit' ? '' : `: ${r.reason}`}`;
  if (r.status === 'skipped') return `${tag} ${r.id}: ${r.reason}`;
  const lines = [`${tag} ${r.id}: ${r.reason}`];
  const failure = r.failure;
  if (failure !== undefined) {
    switch (failure.type) {
      case 'node-failed':
        if (failure.logTail.length > 0) lines.push(...failure.logTail.map((l) => `  | ${l}`));
        break;
      case 'input-missing':
        lines.push(`  input ${failure.input} (${failure.from}) is not available`);
        break;
      case 'cache-corrupt':
        lines.push(`  store: ${failure.message}`);
        break;
      case 'aborted':
        break;
    }
  }
  return lines.join('\n');
}

/**
 * listr2 view: one task per node, resolved by `node-done` events; progress and the current reason in the task
 * output. Loaded only on a terminal.
 */
export async function listrReporter(ids: readonly string[]): Promise<Reporter> {
  const { Listr } = await import('listr2');
  const waiters = new Map<string, { resolve: (r: NodeResult) => void; promise: Promise<NodeResult> }>();
  const outputs = new Map<string, (text: string) => void>();
  for (const id of ids) {
    let resolve!: (r: NodeResult) => void;
    const promise = new Promise<NodeResult>((r) => (resolve = r));
    waiters.set(id, { resolve, promise });
  }
  const list = new Listr(
    ids.map((id) => ({
      title: id,
      task: async (_ctx: unknown, task: { title: string; output: string; skip: (m?: string) => void }) => {
        outputs.set(id, (text) => (task.output = text));
        const r = await (waiters.get(id) as { promise: Promise<NodeResult> }).promise;
        if (r.status === 'cached') task.title = `${id} (cached)`;
        else if (r.status === 'ran') task.title = `${id} (${r.seconds.toFixed(2)}s)`;
        else if (r.status === 'skipped') task.skip(`${id}: ${r.reason}`);
        else throw new Error(formatResult(r));
      },
    })),
    { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
  );
  const running = list.run().catch(() => undefined);
  return {
    onEvent(e) {
      switch (e.type) {
        case 'node-start':
          outputs.get(e.id)?.(e.reason);
          break;
        case 'node-progress':
          outputs.get(e.id)?.(formatProgress(e.update));
          break;
        case 'node-log':
          outputs.get(e.id)?.(e.line);
          break;
        case 'node-waiting':
          outputs.get(e.id)?.(`waiting for pid ${e.pid}`);
          break;
        case 'node-done':
          waiters.get(e.result.id)?.resolve(e.result);
          break;
      }
    },
    async close() {
      for (const w of waiters.values()) w.resolve({ id: '', status: 'skipped', reasonType: 'cancelled', reason: 'not run', seconds: 0 });
      await running;
    },
  };
}
