/**
 * `pipe doctor`'s execution-provider probe, run in a child process: Dawn (the WebGPU EP's native layer) writes
 * warnings such as "Couldn't load Vulkan: libvulkan.so.1: …" straight to the process's stderr, where no JavaScript
 * can catch them. In a child they are captured and folded into a one-line reason per provider instead.
 */
import { execFile } from 'node:child_process';
import type { ProviderProbe } from '../nn/doctor.js';

/** A provider's failure as one readable line: the cause when it is recognised, else the message without paths. */
export function explainProviderError(provider: string, message: string, nativeStderr: string): string {
  const vulkan = /Couldn't load Vulkan: ([^\n]*)/.exec(nativeStderr)?.[1];
  if (provider === 'webgpu' && /RequestAdapterStatus|adapter/i.test(message)) {
    return vulkan !== undefined
      ? `no GPU adapter: the Vulkan loader is missing (${vulkan.split(':')[0]?.trim()}); install libvulkan1 and a GPU driver`
      : 'no GPU adapter found (no GPU, or its Vulkan driver is not installed)';
  }
  // ORT messages carry the C++ source location and lambda signature: keep what follows them.
  const text = message.replace(/\/onnxruntime_src\/\S+:\d+ (\S+::)*[^ ]*(<lambda\(\)>)? ?/g, '').trim();
  if (text.length <= 200) return text;
  return `${text.slice(0, text.lastIndexOf(' ', 200))} …`;
}

/** Probes every provider in a child process (falls back to in-process when running from source, e.g. tests). */
export async function probeProvidersQuietly(): Promise<ProviderProbe[]> {
  const nnUrl = new URL('../nn/index.js', import.meta.url);
  if (import.meta.url.endsWith('.ts')) {
    const nn = await import('../nn/index.js');
    return (await nn.probeProviders()).map((p) => (p.ok ? p : { ...p, error: explainProviderError(p.provider, p.error ?? 'failed', '') }));
  }
  const script = `const nn = await import(${JSON.stringify(nnUrl.href)}); process.stdout.write(JSON.stringify(await nn.probeProviders()));`;
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 16 << 20 }, (e, stdout, stderr) =>
      e && stdout === '' ? reject(new Error(`the provider probe failed: ${stderr.trim().split('\n').pop() ?? e.message}`)) : resolve({ stdout, stderr }),
    ),
  );
  const probes = JSON.parse(stdout) as ProviderProbe[];
  return probes.map((p) => (p.ok ? p : { ...p, error: explainProviderError(p.provider, p.error ?? 'failed', stderr) }));
}
