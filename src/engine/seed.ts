/** Node seeds: a uint32 derived from (pipeline seed, node id, params), so reruns are reproducible. */
import { canonicalJson } from './canonical-json.js';
import { sha256 } from './hash.js';

/**
 * Derives a node's seed. The YAML node id is used (not the matrix instance id), so instances that differ only by
 * inherited matrix axes and have identical inputs get identical keys and share work.
 */
export function deriveSeed(pipelineSeed: number, nodeId: string, params: unknown): number {
  return Number.parseInt(sha256(canonicalJson([pipelineSeed, nodeId, params])).slice(0, 8), 16) >>> 0;
}
