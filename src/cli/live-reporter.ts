/**
 * The live view of `pipe run` on a terminal: one line per node, redrawn in place ten times a second. Pending nodes
 * (waiting for inputs or a slot) show a dot and "pending"; running ones a spinner, elapsed time, an ETA (from their
 * progress count, else from how long they took last time) and their progress or last log line. Finished nodes say
 * how; on Ctrl-C the nodes that were running say "interrupted after …" and the others "not started", so the final
 * frame is a summary rather than a column of crosses. When the nodes outnumber the terminal's rows, finished ones
 * fold into one count line.
 */
import type { NodeResult, RunEvent } from '../engine/execute.js';
import type { ProgressUpdate } from '../engine/node-kind.js';
import { etaSeconds, formatDuration, formatProgress, formatTiming } from './progress-text.js';
import { formatResult, type Reporter } from './run-reporter.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const DIM = (s: string): string => `\x1b[2m${s}\x1b[22m`;
const GREEN = (s: string): string => `\x1b[32m${s}\x1b[39m`;
const RED = (s: string): string => `\x1b[31m${s}\x1b[39m`;
const YELLOW = (s: string): string => `\x1b[33m${s}\x1b[39m`;

type State =
  | { readonly phase: 'pending' }
  | { readonly phase: 'running'; readonly since: number; update?: ProgressUpdate; line?: string; waiting?: string }
  | { readonly phase: 'done'; readonly result: NodeResult };

/** Where the view draws (a TTY stream in the CLI; tests pass their own). */
export interface LiveTarget {
  readonly write: (text: string) => void;
  readonly columns: () => number;
  readonly rows: () => number;
}

/** One node's line, without colour codes' width counted (the caller truncates the plain text first). */
function lineOf(id: string, width: number, state: State, frame: number, lastSeconds: number | undefined): string {
  const name = id.padEnd(width);
  switch (state.phase) {
    case 'pending':
      return `${DIM('·')} ${DIM(name)}  ${DIM('pending')}`;
    case 'running': {
      const elapsed = (performance.now() - state.since) / 1000;
      const detail = state.waiting ?? (state.update ? formatProgress(state.update) : (state.line ?? ''));
      return `${YELLOW(SPINNER[frame % SPINNER.length] as string)} ${name}  ${formatTiming(elapsed, etaSeconds(elapsed, state.update, lastSeconds))}${detail ? `  ${DIM(detail)}` : ''}`;
    }
    case 'done': {
      const r = state.result;
      if (r.status === 'ran') return `${GREEN('✔')} ${name}  ${formatDuration(r.seconds)}`;
      if (r.status === 'cached') return `${GREEN('↺')} ${name}  ${DIM(r.reason === 'cache hit' ? 'cached' : r.reason)}`;
      if (r.status === 'failed') return `${RED('✖')} ${name}  ${RED(r.reason)}`;
      // skipped: interrupted while running, or never started
      return r.seconds > 0 ? `${YELLOW('■')} ${name}  ${YELLOW(`${r.reason} after ${formatDuration(r.seconds)}`)}` : `${DIM('–')} ${DIM(name)}  ${DIM(`not started (${r.reason})`)}`;
    }
  }
}

// Visible width of a string with SGR codes (node ids and reasons are treated as one column per code point).
// eslint-disable-next-line no-control-regex
const visible = (s: string): number => [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;

function truncate(s: string, max: number): string {
  if (visible(s) <= max) return s;
  let out = '';
  let n = 0;
  // Walk code points, copying escape sequences whole.
  for (let i = 0; i < s.length && n < max - 1; ) {
    const esc = /^\x1b\[[0-9;]*m/.exec(s.slice(i));
    if (esc) {
      out += esc[0];
      i += esc[0].length;
      continue;
    }
    const ch = String.fromCodePoint(s.codePointAt(i) as number);
    out += ch;
    i += ch.length;
    n++;
  }
  return `${out}…\x1b[0m`;
}

/** The live view over the nodes `ids` (in pipeline order). `lastSeconds`: each node's duration last time it ran. */
export function liveReporter(ids: readonly string[], lastSeconds: ReadonlyMap<string, number>, target: LiveTarget): Reporter {
  const states = new Map<string, State>(ids.map((id) => [id, { phase: 'pending' }]));
  const width = Math.min(40, Math.max(...ids.map((i) => i.length), 4));
  let drawn = 0;
  let frame = 0;
  let closed = false;

  const frameText = (): string[] => {
    const cols = Math.max(20, target.columns());
    const room = Math.max(3, target.rows() - 2);
    let shown = ids;
    const lines: string[] = [];
    if (ids.length > room) {
      const done = ids.filter((id) => states.get(id)?.phase === 'done');
      const count = (s: string): number => done.filter((id) => (states.get(id) as { result: NodeResult }).result.status === s).length;
      lines.push(DIM(`  ${count('ran')} ran, ${count('cached')} cached, ${count('failed')} failed, ${count('skipped')} not run`));
      shown = ids.filter((id) => states.get(id)?.phase !== 'done' || (states.get(id) as { result: NodeResult }).result.status === 'failed').slice(0, room - 1);
    }
    for (const id of shown) lines.push(truncate(lineOf(id, width, states.get(id) as State, frame, lastSeconds.get(id)), cols - 1));
    return lines;
  };
  const erase = (): string => (drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : '');
  const draw = (): void => {
    const lines = frameText();
    target.write(`${erase()}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  target.write('\x1b[?25l');
  const showCursor = (): void => target.write('\x1b[?25h');
  process.once('exit', showCursor);
  const timer = setInterval(() => {
    frame++;
    draw();
  }, 100);
  timer.unref();
  draw();

  return {
    onEvent(e) {
      if (closed) return;
      switch (e.type) {
        case 'node-start':
          states.set(e.id, { phase: 'running', since: performance.now(), line: e.reason });
          break;
        case 'node-progress': {
          const s = states.get(e.id);
          if (s?.phase === 'running') {
            s.update = e.update;
            delete s.waiting;
          }
          break;
        }
        case 'node-log': {
          const s = states.get(e.id);
          if (s?.phase === 'running') s.line = e.line.trim();
          break;
        }
        case 'node-waiting': {
          const s = states.get(e.id);
          const waiting = e.pid === process.pid ? 'waiting for the previous run (same key)' : `waiting for pid ${e.pid} (same key)`;
          if (s?.phase === 'running') s.waiting = waiting;
          else states.set(e.id, { phase: 'running', since: performance.now(), waiting });
          break;
        }
        case 'node-done':
          states.set(e.result.id, { phase: 'done', result: e.result });
          break;
      }
    },
    message(line) {
      target.write(`${erase()}${line}\n`);
      drawn = 0;
      draw();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      draw();
      // What failed, with its log tail, below the final frame.
      for (const s of states.values()) if (s.phase === 'done' && s.result.status === 'failed') target.write(`${formatResult(s.result)}\n`);
      process.off('exit', showCursor);
      showCursor();
    },
  };
}
