/**
 * How many intra-op threads a model node gives ONNX Runtime: its `threads` param if set, else the CPU slots the
 * scheduler reserved for it (`resources.cpu`), so nodes running side by side never oversubscribe the cores.
 */
export function threadsFor(params: { readonly threads?: number }, ctx: { readonly cpus?: number }): { threads?: number } {
  const threads = params.threads ?? ctx.cpus;
  return threads !== undefined ? { threads } : {};
}
