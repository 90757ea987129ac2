/**
 * `exec`: runs an external command as a node. Argument arrays through execa (no shell unless the argv asks for one,
 * e.g. ['sh', '-c', '…']), in a fresh empty working directory, with
 *   PIPE_OUT            a folder where the command writes one file or folder per declared output, named as the output
 *   PIPE_IN_<input>     the path of each input artifact (read-only)
 *   PIPE_SEED           the node seed
 *   PIPE_FILE_<name>    the absolute path of each `files` param (hashed into the key, watched by `pipe watch`)
 * stdout/stderr lines go to the node log (the tail is shown when it fails). Cancelled through ctx.signal. The
 * command's process group is stopped if pipe exits, and also if pipe is killed (kill -9), by a supervisor process.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeContext, NodeKind } from '../../engine/node-kind.js';
import { ParamsObject, Type, type Static } from '../params.js';
import { argLimitProblems, argTooBigMessage } from './arg-limits.js';
import { releaseGroup, superviseGroup } from './watchdog.js';

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

/** A map from environment-variable-like names to strings. */
const namedStrings = (description: string) =>
  Type.Unsafe<Record<string, string>>({ type: 'object', propertyNames: { pattern: ENV_NAME }, additionalProperties: { type: 'string' }, description });

/** exec's params, declared once. */
export const execParams = ParamsObject({
  argv: Type.Array(Type.String(), { minItems: 1, description: 'Command and arguments' }),
  env: Type.Optional(namedStrings('Extra environment variables')),
  files: Type.Optional(namedStrings('Files the command reads (paths relative to the pipeline file): hashed into the key, passed as PIPE_FILE_<name>')),
});
export type ExecParams = Static<typeof execParams>;

/** Process groups of running commands: killed if pipe exits while they run (e.g. a second Ctrl-C); see also watchdog.ts. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const g of liveGroups) {
        try {
          process.kill(-g, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    });
  }
  liveGroups.add(pid);
  superviseGroup(pid); // and killed if pipe dies without running exit hooks (kill -9): see watchdog.ts
}

function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
  releaseGroup(pid);
}

export const exec: NodeKind<ExecParams> = {
  kind: 'exec',
  description: 'Run a command (argv array, no shell unless asked); it writes each declared output into $PIPE_OUT',
  module: import.meta.url,
  params: execParams,
  inputs: '*',
  outputs: '*',
  fileParams: ['files.*'],
  checkParams: (params) => argLimitProblems(params.argv, params.env),
  async run(ctx: NodeContext<ExecParams>): Promise<void> {
    const { execa } = await import('execa');
    const work = ctx.workDir ?? ctx.resumeDir;
    const out = join(work, 'PIPE_OUT');
    const cwd = join(work, 'cwd');
    await mkdir(out, { recursive: true });
    await mkdir(cwd, { recursive: true });
    const env: Record<string, string> = { ...(ctx.params.env ?? {}), PIPE_OUT: out, PIPE_SEED: String(ctx.seed) };
    for (const [name, path] of Object.entries(ctx.inputs)) env[`PIPE_IN_${name}`] = path;
    for (const [name, path] of Object.entries(ctx.params.files ?? {})) env[`PIPE_FILE_${name}`] = path;
    const [file, ...args] = ctx.params.argv as [string, ...string[]];
    ctx.log(`$ ${ctx.params.argv.map((a) => (/^[\w./=:@%+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}`);
    // The command gets its own process group, so cancelling also stops what it started (sh -c 'sleep …').
    const child = execa(file, args, {
      cwd,
      env,
      stdin: 'ignore',
      reject: false,
      detached: true,
      stdout: { transform: function* (line: unknown) { ctx.log(String(line)); } },
      stderr: { transform: function* (line: unknown) { ctx.log(String(line)); } },
    });
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    };
    let forceKill: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      killGroup('SIGTERM');
      forceKill = setTimeout(() => killGroup('SIGKILL'), 2000);
    };
    if (ctx.signal.aborted) onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (child.pid !== undefined) trackGroup(child.pid);
    let result;
    try {
      result = await child;
    } finally {
      if (child.pid !== undefined) untrackGroup(child.pid);
      ctx.signal.removeEventListener('abort', onAbort);
      clearTimeout(forceKill);
    }
    ctx.signal.throwIfAborted();
    if (result.failed) {
      // execa passes this process's environment on, with the node's over it.
      if (result.code === 'E2BIG') throw new Error(argTooBigMessage(ctx.params.argv, { ...process.env, ...env }, ctx.params.env));
      const why = result.exitCode !== undefined ? `exit code ${result.exitCode}` : (result.signal ?? result.shortMessage);
      throw new Error(`command ${file} failed: ${why}`);
    }
    const names = ctx.outputNames ?? [];
    const missing = names.filter((n) => !existsSync(join(out, n)));
    if (missing.length > 0) {
      throw new Error(`declared output${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} not written to $PIPE_OUT`);
    }
    for (const name of names) {
      const target = ctx.output(name);
      await rename(join(out, name), target).catch(async () => {
        await cp(join(out, name), target, { recursive: true });
        await rm(join(out, name), { recursive: true, force: true });
      });
    }
  },
};

/** Node kinds of this domain, registered in src/nodes/index.ts. */
export const kinds: readonly NodeKind[] = [exec];
