import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { endianness } from 'node:os';
import { HfModelError } from './errors.js';
import type { NamedTensor } from '../models/llama-config.js';

/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length, a JSON
 * header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the tensors' bytes
 * (offsets relative to the end of the header). Reading goes tensor by tensor through one file handle, so a large
 * shard is never held twice in memory: each tensor's bytes land directly in its float32 array (F32) or in a
 * per-tensor scratch buffer that is widened (BF16, F16). Everything is validated against the file size first, so
 * a truncated download is one clear error naming the file rather than a short read deep inside.
 */

/** Dtypes pipe reads, with their byte widths; all are widened to float32. */
export const SAFETENSORS_DTYPES = { F32: 4, BF16: 2, F16: 2 } as const;
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

/** One tensor's header entry, validated; `begin`/`end` are absolute byte positions in the file. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** A validated header: the entries in file order and the free-form `__metadata__`. */
export interface SafetensorsHeader {
  readonly file: string;
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** Refuse absurd header lengths before allocating (the reference implementation caps it at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

if (endianness() !== 'LE') throw new Error('Internal error: safetensors reading assumes a little-endian host');

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and validates a file's header (not its data): dtypes known, shapes × widths = byte ranges inside the file. */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw openError(file, err);
  }
  try {
    const size = fstatSync(fd).size;
    const read = (into: Uint8Array, position: number): void => {
      let done = 0;
      while (done < into.length) {
        const n = readSync(fd, into, done, into.length - done, position + done);
        if (n === 0) throw new HfModelError(file, `truncated: ended at byte ${position + done}, expected ${position + into.length}`);
        done += n;
      }
    };
    return parseHeader(file, size, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads every tensor of a .safetensors file (or only those in `names`) as float32.
 * Errors (HfModelError) name the file: missing, truncated, bad header, unknown dtype, inconsistent shape.
 */
export async function readSafetensors(
  file: string,
  names?: ReadonlySet<string>,
): Promise<Map<string, NamedTensor>> {
  const header = readSafetensorsHeader(file);
  const fh = await open(file, 'r').catch((err: unknown) => {
    throw openError(file, err);
  });
  try {
    const out = new Map<string, NamedTensor>();
    for (const e of header.entries) {
      if (names !== undefined && !names.has(e.name)) continue;
      out.set(e.name, { shape: e.shape, data: await readEntry(fh, file, e) });
    }
    return out;
  } finally {
    await fh.close();
  }
}

type FileHandle = Awaited<ReturnType<typeof open>>;

function openError(file: string, err: unknown): HfModelError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new HfModelError(file, 'file not found');
  if (code === 'EISDIR') return new HfModelError(file, 'is a directory, expected a .safetensors file');
  return new HfModelError(file, `cannot be opened (${code ?? String(err)})`);
}

async function readExactly(fh: FileHandle, file: string, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new HfModelError(file, `truncated: ended at byte ${position + done}, expected ${position + into.length}`);
    done += bytesRead;
  }
}

function parseHeader(file: string, size: number, read: (into: Uint8Array, position: number) => void): SafetensorsHeader {
  if (size < 8) throw new HfModelError(file, `truncated: ${size} bytes, not even the 8-byte header length of a safetensors file`);
  const lenBytes = new Uint8Array(8);
  read(lenBytes, 0);
  const headerLen = Number(new DataView(lenBytes.buffer).getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES) throw new HfModelError(file, `not a safetensors file (header length ${headerLen} bytes)`);
  if (8 + headerLen > size) throw new HfModelError(file, `truncated: header needs ${8 + headerLen} bytes, file has ${size}`);
  const headerBytes = new Uint8Array(headerLen);
  read(headerBytes, 8);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    throw new HfModelError(file, 'not a safetensors file (its header is not JSON)');
  }
  if (!isObject(json)) throw new HfModelError(file, 'not a safetensors file (its header is not a JSON object)');
  const dataStart = 8 + headerLen;
  const dataLen = size - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (isObject(raw)) metadata = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
      continue;
    }
    entries.push(parseEntry(file, name, raw, dataStart, dataLen));
  }
  entries.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1]!;
    const cur = entries[i]!;
    if (cur.begin < prev.end) throw new HfModelError(file, `tensors '${prev.name}' and '${cur.name}' overlap`);
  }
  return { file, entries, metadata };
}

function parseEntry(file: string, name: string, raw: unknown, dataStart: number, dataLen: number): SafetensorsEntry {
  if (!isObject(raw)) throw new HfModelError(file, `tensor '${name}': header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') throw new HfModelError(file, `tensor '${name}': missing dtype`);
  if (!(dtype in SAFETENSORS_DTYPES)) {
    throw new HfModelError(file, `tensor '${name}': dtype ${dtype} is not supported (pipe reads ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`);
  }
  const width = SAFETENSORS_DTYPES[dtype as SafetensorsDtype];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new HfModelError(file, `tensor '${name}': shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new HfModelError(file, `tensor '${name}': data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
  }
  const [b, e] = offsets as [number, number];
  const numel = (shape as number[]).reduce((a, d) => a * d, 1);
  if (e < b || e - b !== numel * width) {
    throw new HfModelError(file, `tensor '${name}': ${dtype} shape [${shape.join(', ')}] needs ${numel * width} bytes, data_offsets give ${e - b}`);
  }
  if (e > dataLen) throw new HfModelError(file, `truncated: tensor '${name}' ends at data byte ${e}, the file holds ${dataLen}`);
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin: dataStart + b, end: dataStart + e };
}

async function readEntry(fh: FileHandle, file: string, e: SafetensorsEntry): Promise<Float32Array> {
  const numel = (e.end - e.begin) / SAFETENSORS_DTYPES[e.dtype];
  const out = new Float32Array(numel);
  if (e.dtype === 'F32') {
    await readExactly(fh, file, new Uint8Array(out.buffer), e.begin);
    return out;
  }
  const half = new Uint16Array(numel);
  await readExactly(fh, file, new Uint8Array(half.buffer), e.begin);
  if (e.dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer); // bf16 is the top half of an IEEE float32
    for (let i = 0; i < numel; i++) bits[i] = half[i]! << 16;
  } else {
    for (let i = 0; i < numel; i++) out[i] = f16ToF32(half[i]!);
  }
  return out;
}

/** IEEE 754 half → single, including subnormals, infinities and NaN. */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Writes tensors as F32 safetensors with `__metadata__: {format: "pt"}` (what transformers' save_pretrained
 * writes, so `from_pretrained` loads it as is). Streams tensor by tensor to a temporary file, then renames it.
 */
export async function writeSafetensors(
  file: string,
  tensors: Iterable<readonly [string, NamedTensor]>,
  metadata: Readonly<Record<string, string>> = { format: 'pt' },
): Promise<void> {
  const list = [...tensors];
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of list) {
    const numel = t.shape.reduce((a, d) => a * d, 1);
    if (numel !== t.data.length) throw new Error(`Internal error: tensor '${name}' has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + numel * 4] };
    offset += numel * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.write(len);
    await fh.write(headerBytes);
    for (const [, t] of list) await fh.write(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}
