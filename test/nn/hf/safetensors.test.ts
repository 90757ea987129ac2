import { copyFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HfModelError } from '../../../src/nn/hf/errors.js';
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from '../../../src/nn/hf/safetensors.js';
import { fixture, tempDir } from './helpers.js';

/** A safetensors file from a header object and raw data bytes. */
function rawFile(path: string, header: unknown, data: Uint8Array): void {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json, data]));
}

describe('safetensors', () => {
  it('reads the float32 weights transformers saved, with their names and shapes', async () => {
    const w = await readSafetensors(fixture('llama/model.safetensors'));
    expect(w.get('model.embed_tokens.weight')?.shape).toEqual([360, 32]);
    expect(w.get('model.layers.0.self_attn.k_proj.weight')?.shape).toEqual([16, 32]); // 2 KV heads × 8
    expect(w.get('lm_head.weight')?.shape).toEqual([360, 32]);
    expect(w.size).toBe(21);
    const norm = w.get('model.norm.weight')!.data;
    expect(norm.every((x) => Number.isFinite(x) && Math.abs(x - 1) < 1.5)).toBe(true); // 1 + 0.2·N(0,1)
  });

  it('reads only the requested tensors', async () => {
    const w = await readSafetensors(fixture('llama/model.safetensors'), new Set(['model.norm.weight']));
    expect([...w.keys()]).toEqual(['model.norm.weight']);
  });

  it('writes F32 with format "pt" metadata, 8-byte aligned, and reads back the same values', async () => {
    const dir = tempDir();
    const file = join(dir, 'm.safetensors');
    const a = { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, -0, 7]) };
    const b = { shape: [1], data: Float32Array.from([Math.PI]) };
    await writeSafetensors(file, [['a', a], ['b.bias', b]]);
    const header = await readSafetensorsHeader(file);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.entries.map((e) => [e.name, e.dtype, e.begin % 8])).toEqual([['a', 'F32', 0], ['b.bias', 'F32', 0]]);
    const back = await readSafetensors(file);
    expect(back.get('a')).toEqual(a);
    expect(back.get('b.bias')).toEqual(b);
  });

  it('widens F16 and BF16 to float32 exactly', async () => {
    const dir = tempDir();
    const file = join(dir, 'h.safetensors');
    const f16 = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3555]); // 1, -2, 65504, 2^-24, inf, ≈1/3
    const bf16 = Uint16Array.from([0x3f80, 0xc0a0, 0x0000]); // 1, -5, 0
    const data = new Uint8Array(f16.byteLength + bf16.byteLength);
    data.set(new Uint8Array(f16.buffer), 0);
    data.set(new Uint8Array(bf16.buffer), f16.byteLength);
    rawFile(file, {
      h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] },
      b: { dtype: 'BF16', shape: [3], data_offsets: [12, 18] },
    }, data);
    const w = await readSafetensors(file);
    expect([...w.get('h')!.data]).toEqual([1, -2, 65504, 2 ** -24, Infinity, Math.fround(0.333251953125)]);
    expect([...w.get('b')!.data]).toEqual([1, -5, 0]);
  });

  describe('bad files are one error naming the file', () => {
    const cases: [string, (file: string) => void, RegExp][] = [
      ['a missing file', () => {}, /: file not found$/],
      ['a truncated file', (f) => {
        copyFileSync(fixture('qwen2/model.safetensors'), f);
        truncateSync(f, 50_000);
      }, /: truncated: tensor '.*' ends at data byte \d+, the file holds \d+$/],
      ['a file cut inside its header', (f) => {
        copyFileSync(fixture('qwen2/model.safetensors'), f);
        truncateSync(f, 100);
      }, /: truncated: header needs \d+ bytes, file has 100$/],
      ['an unknown dtype', (f) => rawFile(f, { x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
        /: tensor 'x': dtype I64 is not supported \(pipe reads F32, BF16, F16\)$/],
      ['a shape that disagrees with the byte range', (f) => rawFile(f, { x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
        /: tensor 'x': F32 shape \[3\] needs 12 bytes, data_offsets give 8$/],
      ['offsets past the end', (f) => rawFile(f, { x: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }, new Uint8Array(8)),
        /: truncated: tensor 'x' ends at data byte 24, the file holds 8$/],
      ['a header that is not JSON', (f) => {
        const b = Buffer.alloc(20);
        b.writeBigUInt64LE(4n);
        b.write('{no}', 8);
        writeFileSync(f, b);
      }, /: not a safetensors file \(its header is not JSON\)$/],
      ['a text file', (f) => writeFileSync(f, 'hello, this is not a tensor file at all'), /: not a safetensors file \(header length \d+ bytes\)$/],
    ];
    for (const [what, make, message] of cases) {
      it(what, async () => {
        const file = join(tempDir(), 'model.safetensors');
        make(file);
        const err = await readSafetensors(file).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HfModelError);
        expect((err as HfModelError).file).toBe(file);
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message.startsWith(`${file}: `)).toBe(true);
      });
    }
  });
});
