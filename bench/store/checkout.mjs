// What verified per-attempt input copies cost: hashing an object (the verification alone) against checking it out
// (copy — a reflink where the filesystem supports it — plus hashing the copy), for one file of SIZE_MIB (default 512).
// Usage: npm run build && node bench/store/checkout.mjs [SIZE_MIB] [DIR]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFile } from '../../dist/engine/hash.js';
import { openStore } from '../../dist/engine/store.js';

const mib = Number(process.argv[2] ?? 512);
const dir = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'pipe-bench-checkout-'));
try {
  const store = openStore(join(dir, 'store'));
  store.init();
  const src = join(dir, 'data');
  const chunk = randomBytes(1 << 20);
  writeFileSync(src, Buffer.concat(Array.from({ length: mib }, () => chunk)));
  const art = await store.ingest(src, 'data');
  const time = async (f) => {
    const t0 = performance.now();
    await f();
    return (performance.now() - t0) / 1000;
  };
  const rows = [];
  for (let i = 0; i < 3; i++) {
    const hash = await time(() => hashFile(store.objectPath(art.digest)));
    const dest = join(dir, `copy-${i}`);
    const checkout = await time(() => store.checkout(art, dest));
    rmSync(dest, { force: true });
    rows.push({ hash, checkout });
  }
  const best = (k) => Math.min(...rows.map((r) => r[k]));
  const gib = mib / 1024;
  console.log(`file: ${mib} MiB`);
  console.log(`hash only (verification):        ${best('hash').toFixed(3)} s  ${(gib / best('hash')).toFixed(2)} GiB/s`);
  console.log(`checkout (copy + hash of copy):  ${best('checkout').toFixed(3)} s  ${(gib / best('checkout')).toFixed(2)} GiB/s`);
  console.log(`checkout / hash: ${(best('checkout') / best('hash')).toFixed(2)}x (best of 3)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
