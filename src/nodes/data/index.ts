/** Generic data node kinds (registered in src/nodes/index.ts). */
import type { NodeKind } from '../../engine/node-kind.js';
import { mixKind } from './mix-node.js';

/** Node kinds of this domain: `data.mix`. */
export const kinds: readonly NodeKind[] = [mixKind];
