/**
 * Real services for the scale-out tests, never mocks. Redis: the server named by PIPE_TEST_REDIS (.ci/run starts
 * one), else a private redis-server on a free loopback port if one is installed. SLURM: the cluster `sinfo` answers
 * for (.ci/run starts a one-host one with scripts/slurm-local.sh); PIPE_TEST_SLURM=0 turns the SLURM tests off.
 * When a service is missing its tests are skipped, and the reason is printed.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Service {
  readonly url: string;
  stop(): void;
}

/** A redis-server this test file started, which it may also crash and replace. */
export interface PrivateRedis extends Service {
  /** Kills the server (SIGKILL: nothing saved) and starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
}

/** A Redis for the tests, or why there is none. */
export async function redisService(): Promise<Service | { skip: string }> {
  const given = process.env.PIPE_TEST_REDIS;
  if (given) return { url: given, stop() {} };
  return privateRedis();
}

/** A redis-server of this test file's own (one it may stop or restart), or why there is none. */
export async function privateRedis(): Promise<PrivateRedis | { skip: string }> {
  if (!has('redis-server')) return { skip: 'redis-server is not installed (apt-get install redis-server, or run .ci/run)' };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pipe-redis-'));
  const start = async (): Promise<ChildProcess> => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        if (execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' }).toString().trim() === 'PONG') break;
      } catch {
        /* not yet */
      }
      await sleep(100);
    }
    return c;
  };
  let child = await start();
  // Never outlive the test process, even when it ends without running afterAll.
  const stop = (): void => void child.kill();
  process.once('exit', stop);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart() {
      const old = child;
      const gone = new Promise((res) => old.once('exit', res));
      old.kill('SIGKILL');
      await gone;
      child = await start();
    },
  };
}

/** Why the SLURM tests cannot run here, or undefined when a cluster answers. */
export function slurmMissing(): string | undefined {
  if (process.env.PIPE_TEST_SLURM === '0') return 'PIPE_TEST_SLURM=0';
  if (!has('sbatch')) return 'no SLURM here (sbatch not on PATH); run scripts/slurm-local.sh as root, as .ci/run does';
  try {
    const up = execFileSync('sinfo', ['-h', '-o', '%a %T'], { stdio: 'pipe', timeout: 10_000 }).toString();
    if (!/up\s+(idle|mix|alloc)/.test(up)) return `no SLURM node is available (sinfo: ${up.trim() || 'nothing'}); run scripts/slurm-local.sh`;
  } catch (e) {
    return `SLURM does not answer (${(e as Error).message.split('\n')[0]}); run scripts/slurm-local.sh as root, as .ci/run does`;
  }
  return undefined;
}

/** Whether this process can make a private mount namespace (to hide a directory from SLURM jobs). */
export function canUnshareMounts(): boolean {
  try {
    execFileSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /mnt 2>/dev/null || mount -t tmpfs none /tmp'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
