/**
 * Node log file names: `<node id>-<first 12 hex digits of the key>.log`, so `ls logs/` reads by node and still tells
 * attempts of different keys apart. Logs written before nodes were named are `<key>.log`; both are recognized.
 */

const KEY_PREFIX = 12;

/** The log file name of an attempt of `key` by node `nodeId` (characters a file name should not hold become '_'). */
export function logFileName(key: string, nodeId?: string): string {
  if (nodeId === undefined) return `${key}.log`;
  const safe = nodeId.replace(/[^A-Za-z0-9_.=,-]/g, '_').replace(/^\./, '_').slice(0, 100);
  return `${safe}-${key.slice(0, KEY_PREFIX)}.log`;
}

/** The key prefix a log file name carries (12 hex digits), or undefined for a name that is no log's. */
export function logKeyPrefix(fileName: string): string | undefined {
  const m = /(?:^|-)([0-9a-f]{12})(?:[0-9a-f]{52})?\.log$/.exec(fileName);
  return m?.[1];
}

/** Whether `fileName` is a log of `key`. */
export function isLogOf(fileName: string, key: string): boolean {
  return fileName === `${key}.log` || fileName.endsWith(`-${key.slice(0, KEY_PREFIX)}.log`);
}
