/**
 * Makes exec commands die with `pipe`, even on kill -9. Each command runs in its own process group (so cancelling
 * stops what it started), which also means nothing kills it when pipe dies without running its exit hooks. One small
 * supervising node process per pipe process (started with the first command) holds the read end of a pipe from
 * pipe and is told the group of each command as it starts ("+pgid") and ends ("-pgid"). When pipe dies for any
 * reason the kernel closes the pipe, the supervisor reads end-of-file, sends SIGTERM to the groups still listed and
 * SIGKILL two seconds later, and exits. It runs in its own session, so Ctrl-C or a kill of pipe's process group does
 * not take it down first. It does not poll and holds no other file descriptor.
 * Limit: a command that starts its own new process group or session (setsid) escapes its group and is not reached.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

const SUPERVISOR = `
const groups = new Set();
let buf = '';
const kill = (sig) => { for (const g of groups) { try { process.kill(-g, sig); } catch {} } };
const quit = () => {
  if (groups.size === 0) process.exit(0);
  kill('SIGTERM');
  setTimeout(() => { kill('SIGKILL'); process.exit(0); }, 2000);
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  for (let i = buf.indexOf('\\n'); i !== -1; i = buf.indexOf('\\n')) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const g = Number(line.slice(1));
    if (!Number.isInteger(g) || g <= 1) continue;
    if (line[0] === '+') groups.add(g); else groups.delete(g);
  }
});
process.stdin.on('end', quit);
process.stdin.on('error', quit);
`;

let supervisor: ChildProcess | undefined;
let failed = false;

function start(): ChildProcess | undefined {
  if (supervisor !== undefined || failed) return supervisor;
  try {
    const { NODE_OPTIONS: _drop, ...env } = process.env;
    const child = spawn(process.execPath, ['-e', SUPERVISOR], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env });
    child.on('error', () => {
      failed = true;
      supervisor = undefined;
    });
    child.stdin?.on('error', () => {
      /* the supervisor is gone; the exit hook in exec still covers orderly exits */
    });
    // Neither the process nor its pipe keeps pipe alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    supervisor = child;
  } catch {
    failed = true;
  }
  return supervisor;
}

/** Registers a running command's process group with the supervisor (started on first use). */
export function superviseGroup(pgid: number): void {
  start()?.stdin?.write(`+${pgid}\n`);
}

/** The command's group has exited: the supervisor must no longer signal it. */
export function releaseGroup(pgid: number): void {
  supervisor?.stdin?.write(`-${pgid}\n`);
}
