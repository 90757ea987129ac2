/**
 * Every temporary file and folder the tests (and the pipe processes, workers and SLURM jobs they start) make goes
 * under one folder, removed when the run ends, so `npm test` leaves nothing in the system's temp directory.
 * Test workers and child processes inherit TMPDIR, and os.tmpdir() reads it at each call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'pipe-tests-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
