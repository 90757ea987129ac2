/**
 * Progress display for `pipe run` / `pipe watch`: plain lines on stderr (with --json, CI=true or no TTY), or the
 * live view (live-reporter.ts) on a terminal. Both consume the executor's events; neither affects results.
 */
import type { NodeResult, RunEvent } from '../engine/execute.js';
import { etaSeconds, formatDuration, formatProgress, formatTiming } from './progress-text.js';

/** Receives executor events; `close` flushes the display. */
export interface Reporter {
  readonly onEvent: (e: RunEvent) => void;
  /** A line of the command's own (e.g. "interrupted; cancelling"), printed without tearing the display. */
  readonly message: (line: string) => void;
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
 * Plain line reporter: one line per state change; progress at most one line per node per second, never the same
 * line twice, with elapsed time and an ETA (from the progress count, else from `lastSeconds`, the node's duration
 * the last time it ran). Lines are batched per event-loop turn (a cached run of hundreds of nodes is one write).
 */
export function plainReporter(
  writeLine: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  lastSeconds: ReadonlyMap<string, number> = new Map(),
  startTag = 'run',
): Reporter {
  const lastProgress = new Map<string, { at: number; text: string }>();
  const startedAt = new Map<string, number>();
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
        case 'node-start': {
          startedAt.set(e.id, performance.now());
          const last = lastSeconds.get(e.id);
          write(`[${startTag}] ${e.id}: ${e.reason}${last !== undefined ? ` (took ${formatDuration(last)} last time)` : ''}`);
          break;
        }
        case 'node-progress': {
          const now = Date.now();
          const last = lastProgress.get(e.id);
          const final = e.update.total !== undefined && e.update.done >= e.update.total;
          const text = formatProgress(e.update);
          if (text === last?.text || (last !== undefined && now - last.at < 1000 && !final)) break;
          lastProgress.set(e.id, { at: now, text });
          const elapsed = (performance.now() - (startedAt.get(e.id) ?? performance.now())) / 1000;
          write(`[${e.id}] ${text} (${formatTiming(elapsed, final ? undefined : etaSeconds(elapsed, e.update, lastSeconds.get(e.id)))})`);
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
    message: (line) => write(line),
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

/** One line (plus the log tail for a failure). */
export function formatResult(r: NodeResult): string {
  const tag = `[${STATUS_TAG[r.status]}]`;
  if (r.status === 'ran') return `${tag} ${r.id} (${r.seconds.toFixed(2)}s)`;
  if (r.status === 'cached') return `${tag} ${r.id}${r.reason === 'cache hit' ? '' : `: ${r.reason}`}`;
  if (r.status === 'skipped') return `${tag} ${r.id}: ${r.reason}${r.seconds > 0 ? ` after ${formatDuration(r.seconds)} of running` : ''}`;
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
