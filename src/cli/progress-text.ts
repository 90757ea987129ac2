/** Durations, ETAs and progress as the run displays print them (plain lines and the live view alike). */
import type { ProgressUpdate } from '../engine/node-kind.js';

/** `0.4s`, `12s`, `3m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Seconds left for a running node: from its countable progress when it has some (elapsed × remaining / done),
 * else from how long it took last time; undefined when neither says.
 */
export function etaSeconds(elapsed: number, update: ProgressUpdate | undefined, lastSeconds: number | undefined): number | undefined {
  if (update?.total !== undefined && update.done > 0 && update.total >= update.done) return (elapsed * (update.total - update.done)) / update.done;
  if (lastSeconds !== undefined && lastSeconds > elapsed) return lastSeconds - elapsed;
  return undefined;
}

/** `12/100 steps (message)`. */
export function formatProgress(u: ProgressUpdate): string {
  const count = u.total !== undefined ? `${u.done}/${u.total}` : String(u.done);
  return `${count}${u.unit ? ` ${u.unit}` : ''}${u.message ? ` ${u.message}` : ''}`;
}

/** `1m02s elapsed, ETA 3m10s` (the ETA only when known). */
export function formatTiming(elapsed: number, eta: number | undefined): string {
  return `${formatDuration(elapsed)}${eta !== undefined ? `, ETA ${formatDuration(eta)}` : ''}`;
}
