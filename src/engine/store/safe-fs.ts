/**
 * Filesystem access to a store's contents that a hostile store cannot turn against pipe. A store is copied, shared
 * and edited by hand, so any name in it may be a symbolic link (to a home directory, to /dev/zero), a FIFO that
 * blocks a reader forever, or a file of gigabytes. Every read, listing, append and deletion inside a store goes
 * through these functions, which never follow a symbolic link, never open anything but a regular file, and refuse
 * records larger than pipe writes. Only the store root itself may be a link (a store moved to a bigger disk).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hashHandle } from '../hash.js';
import { StoreDamage } from './untrusted.js';

/** The largest JSON record (cache entry, manifest, lock, pin…) pipe reads whole; pipe's own are far smaller. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Whether `path` is a real folder of the store: true if it is, false if it does not exist; throws a `StoreDamage`
 * (named by `label`, store-relative) when something else is there — a symbolic link, a file — since listing or
 * deleting inside it could reach outside the store.
 */
export function isStoreFolder(path: string, label: string): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) return false;
  if (st.isDirectory()) return true;
  throw new StoreDamage(label, st.isSymbolicLink() ? 'is a symbolic link where the store has a folder (pipe never follows links inside a store; replace it with a real folder)' : 'is not a folder');
}

/** The names in a store folder ([] when it does not exist); throws `StoreDamage` when it is not a real folder. */
export function listStoreFolder(path: string, label: string): string[] {
  return isStoreFolder(path, label) ? readdirSync(path) : [];
}

/** Whether `path` is a regular file (not a link, FIFO, device or folder). */
export function isRegularFile(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * Opens a store file for reading, without following a link and without blocking on a FIFO; throws `StoreDamage`
 * for anything but a regular file, undefined when absent.
 */
export function openStoreFile(path: string, label: string): { fd: number; size: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (e) {
    return missingOrDamage(e, label);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new StoreDamage(label, st.isDirectory() ? 'is a folder, not a file' : 'is not a regular file (a FIFO, socket or device)');
  }
  return { fd, size: st.size };
}

/**
 * The text of a store file read whole: undefined when absent; `StoreDamage` when it is a link, not a regular file,
 * or larger than `maxBytes`.
 */
export function readStoreText(path: string, label: string, maxBytes: number = MAX_RECORD_BYTES): string | undefined {
  const opened = openStoreFile(path, label);
  if (opened === undefined) return undefined;
  const { fd, size } = opened;
  try {
    if (size > maxBytes) throw new StoreDamage(label, `is ${size} bytes, more than the ${maxBytes} pipe reads for such a file`);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Appends `text` to a store file (created if absent) without following a link; `StoreDamage` for a non-file. */
export function appendStoreText(path: string, text: string, label: string): void {
  const fd = openForAppend(path, label);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** An O_APPEND descriptor on a store file (never through a link, never a FIFO or device). */
export function openForAppend(path: string, label: string): number {
  let fd: number;
  try {
    fd = openSync(path, APPEND_FLAGS, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new StoreDamage(label, 'is a symbolic link (pipe never writes through links inside a store)');
    if (code === 'ENXIO') throw new StoreDamage(label, 'is not a regular file');
    throw e;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new StoreDamage(label, 'is not a regular file');
  }
  return fd;
}

/**
 * Creates `path` afresh with `text` (a log, a temp file): whatever was there — a file, a link planted to redirect
 * the write — is unlinked first, and the new file is created exclusively, so the write lands in the store.
 */
export function createStoreFile(path: string, text: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const fd = openSync(path, CREATE_FLAGS, 0o644);
  try {
    if (text !== '') writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * SHA-256 and size of a stored file (an object, a file of a materialized tree): `StoreDamage` when it is a link or
 * not a regular file — never a read of /dev/zero or a wait on a FIFO; undefined when absent.
 */
export async function hashStoreFile(path: string, label: string): Promise<{ readonly digest: string; readonly size: number } | undefined> {
  let handle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (e) {
    return missingOrDamage(e, label);
  }
  try {
    if (!(await handle.stat()).isFile()) throw new StoreDamage(label, 'is not a regular file (a FIFO, socket, device or folder)');
    return await hashHandle(handle);
  } finally {
    await handle.close();
  }
}

/** The longest record line pipe parses; a longer one is reported (as `undefined`) without being held in memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Calls `onLine(text, lineNo)` for every line of a store JSONL file, read in chunks (files of any size in constant
 * memory beyond one line); a line longer than `maxLine` bytes comes as `undefined`. A file that is absent has no
 * lines; a link or non-regular file throws `StoreDamage`. A last line without its newline is passed too.
 */
export function forEachStoreLine(path: string, label: string, onLine: (text: string | undefined, lineNo: number) => void, maxLine: number = MAX_LINE_BYTES): void {
  const opened = openStoreFile(path, label);
  if (opened === undefined) return;
  const { fd } = opened;
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    let parts: Buffer[] = [];
    let partBytes = 0;
    let tooLong = false;
    let lineNo = 0;
    const endLine = (tail: Buffer): void => {
      lineNo++;
      if (tooLong || partBytes + tail.length > maxLine) onLine(undefined, lineNo);
      else onLine(Buffer.concat([...parts, tail]).toString('utf8'), lineNo);
      parts = [];
      partBytes = 0;
      tooLong = false;
    };
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      let start = 0;
      for (let nl = buf.indexOf(0x0a, 0); nl !== -1 && nl < n; nl = buf.indexOf(0x0a, start)) {
        endLine(buf.subarray(start, nl));
        start = nl + 1;
      }
      if (start < n) {
        const rest = buf.subarray(start, n);
        if (tooLong || partBytes + rest.length > maxLine) tooLong = true;
        else parts.push(Buffer.from(rest));
        partBytes += rest.length;
      }
    }
    if (partBytes > 0 || tooLong) endLine(Buffer.alloc(0));
  } finally {
    closeSync(fd);
  }
}

/** An open of a store file failed: undefined when it is absent, else the damage (a link, a FIFO) or the error itself. */
function missingOrDamage(e: unknown, label: string): undefined {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return undefined;
  if (code === 'ELOOP') throw new StoreDamage(label, 'is a symbolic link (pipe never follows links inside a store)');
  if (code === 'ENXIO') throw new StoreDamage(label, 'is not a regular file');
  throw e;
}
