/** Corpus node kinds (registered in src/nodes/index.ts). */
import type { NodeKind } from '../../engine/node-kind.js';
import { corpusKind } from './corpus-node.js';

/** Node kinds of this domain: `corpus.generic`. */
export const kinds: readonly NodeKind[] = [corpusKind];
