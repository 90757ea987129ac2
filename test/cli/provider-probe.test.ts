/** `pipe doctor` names why a provider does not work in one line, without native noise or words cut in half. */
import { describe, expect, it } from 'vitest';
import { explainProviderError } from '../../src/cli/provider-probe.js';

const ORT =
  'onnxruntime could not load the provider probe graph on webgpu: /onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 ' +
  'onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false.';

describe('explainProviderError', () => {
  it('turns a missing WebGPU adapter and Dawn\'s Vulkan warning into the cause and the fix', () => {
    const dawn = "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory\n    at operator() (/build/…/BackendVk.cpp:368)\n";
    expect(explainProviderError('webgpu', ORT, dawn)).toBe('no GPU adapter: the Vulkan loader is missing (libvulkan.so.1); install libvulkan1 and a GPU driver');
    expect(explainProviderError('webgpu', ORT, '')).toBe('no GPU adapter found (no GPU, or its Vulkan driver is not installed)');
  });

  it('shortens other messages at a word boundary, never mid-word', () => {
    const long = `cuda: ${'word '.repeat(80)}end`;
    const text = explainProviderError('cuda', long, '');
    expect(text.length).toBeLessThanOrEqual(202);
    expect(text).toMatch(/word …$/);
  });
});
