/**
 * Reading a pipeline file: only a regular file of sensible size is read, so a path that names a directory, a FIFO
 * (which would block the read forever) or a device (/dev/zero, endless) is a one-line user error instead of a hang.
 * Every reader of pipeline files (the loader, its memo, the commands that find a store from a pipeline) uses this.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/** Pipeline files larger than this are refused (pipe's own are a few KiB; the bound only stops endless inputs). */
export const MAX_PIPELINE_BYTES = 64 * 1024 * 1024;

/** The text of a pipeline file, or why it cannot be one (`no such file`, `is a directory`…). */
export function readPipelineFile(path: string): { readonly text: string } | { readonly error: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is not a directory' : String((e as Error).message) };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { error: 'is a directory, not a pipeline file' };
    if (!st.isFile()) return { error: 'is not a regular file (a FIFO, socket or device)' };
    if (st.size > MAX_PIPELINE_BYTES) return { error: `is ${st.size} bytes; a pipeline file may have at most ${MAX_PIPELINE_BYTES}` };
    return { text: readFileSync(fd, 'utf8') };
  } catch (e) {
    return { error: String((e as Error).message) };
  } finally {
    closeSync(fd);
  }
}
