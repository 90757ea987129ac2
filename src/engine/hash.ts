/** SHA-256 helpers: strings in memory, files streamed (constant memory, large reads for throughput). */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** Hex SHA-256 of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const CHUNK = 4 * 1024 * 1024;

/** Hex SHA-256 and size of a file, read in 4 MiB chunks into one reused buffer. */
export async function hashFile(path: string): Promise<{ readonly digest: string; readonly size: number }> {
  const handle = await open(path, 'r');
  try {
    return await hashHandle(handle);
  } finally {
    await handle.close();
  }
}

/** Hex SHA-256 and size of what is left to read from an open file (the caller closes it). */
export async function hashHandle(handle: FileHandle): Promise<{ readonly digest: string; readonly size: number }> {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  let size = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
    if (bytesRead === 0) break;
    hash.update(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead));
    size += bytesRead;
  }
  return { digest: hash.digest('hex'), size };
}
