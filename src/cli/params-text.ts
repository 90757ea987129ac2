/**
 * A node's params as `pipe show` prints them: one line of JSON, except a report's `$pipeline` (the id, kind and
 * params of every instance upstream of it: kilobytes for a study), which is named in one phrase; --json has it whole.
 */
export function paramsText(params: Readonly<Record<string, unknown>>): string {
  const context = params.$pipeline;
  if (context === null || typeof context !== 'object') return JSON.stringify(params);
  const { name, file, instances } = context as { name?: unknown; file?: unknown; instances?: unknown };
  const count = Array.isArray(instances) ? `${instances.length} upstream instances` : 'its instances';
  return JSON.stringify({ ...params, $pipeline: `${String(name)} (${String(file)}): ${count}; --json shows them` });
}
