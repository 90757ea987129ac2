import type { NodeKind } from '../../engine/node-kind.js';
import { reportKind } from './report-node.js';

/** Node kinds of this domain, registered in src/nodes/index.ts. */
export const kinds: readonly NodeKind[] = [reportKind];
