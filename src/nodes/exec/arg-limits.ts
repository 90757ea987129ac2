/**
 * Linux's limits on what execve(2) passes to a command, so that an argument too large to pass is an error at its
 * place in the pipeline file, or a failure that names the argument, instead of a bare E2BIG.
 *
 * The kernel refuses (E2BIG) one argument or environment string longer than MAX_ARG_STRLEN with its NUL, and
 * argv + envp (strings, NULs and one pointer each) beyond a quarter of the stack size limit, capped at 3/4 of the
 * kernel's 8 MiB stack default and never below 32 pages (fs/exec.c, bprm_stack_limits). The first limit and the cap
 * hold on every Linux machine, so params that break them fail wherever they run: checked when the pipeline loads.
 * The total that counts in the end also depends on the environment and the stack limit of the machine that runs the
 * node (a SLURM node, a queue worker), so it is only known when the command starts.
 */
import { readFileSync } from 'node:fs';
import type { ParamProblem } from '../../engine/node-kind.js';

/** The longest argument or environment string Linux passes, NUL included (32 pages). */
export const MAX_ARG_STRLEN = 131_072;
/** The most argv + envp any Linux machine passes: 3/4 of _STK_LIM (8 MiB), whatever the stack limit. */
export const MAX_ARG_TOTAL = 6 * 1024 * 1024;
/** The least: 32 pages (ARG_MAX), even under a small stack limit. */
const MIN_ARG_TOTAL = 32 * 4096;
const POINTER = 8;

/** Bytes a string takes in execve's copy: UTF-8 and its NUL. */
const stringBytes = (s: string): number => Buffer.byteLength(s) + 1;

/** One string execve copies, named as a message names it. */
interface ArgString {
  readonly name: string;
  readonly bytes: number;
  /** Where it is in params, for strings that come from params. */
  readonly path?: readonly (string | number)[];
}

function argStrings(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, paramsEnv: Readonly<Record<string, string>>): ArgString[] {
  const out: ArgString[] = argv.map((a, i) => ({ name: `argv[${i}]`, bytes: stringBytes(a), path: ['argv', i] }));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    const fromParams = paramsEnv[k] === v;
    out.push({ name: `environment variable ${k}`, bytes: stringBytes(`${k}=${v}`), ...(fromParams ? { path: ['env', k] } : {}) });
  }
  return out;
}

/** The bytes execve needs for these strings: each with its NUL, plus one pointer each. */
const totalBytes = (strings: readonly ArgString[]): number => strings.reduce((n, s) => n + s.bytes + POINTER, 0);

const sizeOf = (n: number): string => `${n.toLocaleString('en-US')} bytes`;

const ADVICE = "pass it through a file instead: a 'files' param (its path is $PIPE_FILE_<name>) or an input ($PIPE_IN_<name>), read by the command or fed to its stdin (sh -c 'cmd < \"$PIPE_FILE_<name>\"')";

/** What params alone make certain to fail on any Linux machine: one string too long, or all of them too many bytes. */
export function argLimitProblems(argv: readonly string[], env: Readonly<Record<string, string>> = {}): ParamProblem[] {
  const strings = argStrings(argv, env, env);
  const problems: ParamProblem[] = strings
    .filter((s) => s.bytes > MAX_ARG_STRLEN)
    .map((s) => ({ path: s.path ?? [], message: `is ${sizeOf(s.bytes)} with its NUL, over Linux's limit of ${sizeOf(MAX_ARG_STRLEN)} for one argument (MAX_ARG_STRLEN): the command could never start; ${ADVICE}` }));
  const total = totalBytes(strings);
  if (problems.length === 0 && total > MAX_ARG_TOTAL) {
    const what = Object.keys(env).length > 0 ? "with 'env' takes" : 'takes';
    problems.push({ path: ['argv'], message: `${what} ${sizeOf(total)}, over the ${sizeOf(MAX_ARG_TOTAL)} Linux passes to a command at most (ARG_MAX): the command could never start; ${largest(strings)}; ${ADVICE}` });
  }
  return problems;
}

/**
 * Why a command could not start with E2BIG: the string over the per-string limit, or the total against this
 * machine's limit, with the largest string named and what to do.
 */
export function argTooBigMessage(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, paramsEnv: Readonly<Record<string, string>> = {}): string {
  const strings = argStrings(argv, env, paramsEnv);
  const tooLong = strings.find((s) => s.bytes > MAX_ARG_STRLEN);
  const head = `command ${argv[0]} could not start (E2BIG): `;
  if (tooLong !== undefined) return `${head}${tooLong.name} is ${sizeOf(tooLong.bytes)}, over Linux's limit of ${sizeOf(MAX_ARG_STRLEN)} for one argument; ${ADVICE}`;
  const limit = argTotalLimit();
  const limitText = limit === undefined ? "this machine's limit" : `this machine's limit of ${sizeOf(limit)} (a quarter of the stack size limit, ulimit -s)`;
  return `${head}its arguments and environment take ${sizeOf(totalBytes(strings))}, over ${limitText}; ${largest(strings)}; ${ADVICE}`;
}

function largest(strings: readonly ArgString[]): string {
  const top = strings.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return `the largest is ${top.name} (${sizeOf(top.bytes)})`;
}

/** This process's (and so its children's) limit on argv + envp, from its stack limit; undefined if unknown. */
function argTotalLimit(): number | undefined {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const soft = /^Max stack size\s+(\S+)/m.exec(limits)?.[1];
  if (soft === undefined) return undefined;
  if (soft === 'unlimited') return MAX_ARG_TOTAL;
  const bytes = Number(soft);
  return Number.isFinite(bytes) ? Math.max(Math.min(bytes / 4, MAX_ARG_TOTAL), MIN_ARG_TOTAL) : undefined;
}
