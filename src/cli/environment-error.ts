/**
 * Environment errors (a full disk, a read-only store, a path that is a file) as one line saying what to do, instead
 * of a stack trace. Anything else is a bug and keeps its stack.
 */

const WHAT_TO_DO: Readonly<Record<string, string>> = {
  EROFS: 'is on a read-only filesystem; pass --store DIR on a writable one (pipe plan and pipe query only read)',
  ENOSPC: 'no space left on the device; free some (pipe gc deletes results no pipeline refers to) or pass --store DIR on another disk',
  EDQUOT: 'disk quota exceeded; free some (pipe gc) or pass --store DIR elsewhere',
  ENOTDIR: 'a part of this path is a file, not a directory; pass --store DIR naming a directory',
  EISDIR: 'is a directory where a file was expected; check the path',
  EACCES: 'permission denied; pass --store DIR where you may write',
  EPERM: 'operation not permitted; pass --store DIR where you may write',
  EMFILE: 'too many open files; raise the limit (ulimit -n) or lower --jobs',
  ENFILE: 'the system is out of file handles; lower --jobs',
  EIO: 'input/output error from the disk; check the device (and then pipe fsck)',
  ELOOP: 'too many symbolic links; check the path',
  ENAMETOOLONG: 'a path is too long; use a shorter --store',
};

/** The one-line message for an environment error, or undefined when `e` is not one. */
export function environmentError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const hint = code !== undefined ? WHAT_TO_DO[code] : undefined;
  if (hint === undefined) return undefined;
  return typeof err?.path === 'string' ? `${err.path}: ${hint} (${code})` : `${hint} (${code})`;
}
