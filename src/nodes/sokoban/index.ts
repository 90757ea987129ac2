import type { NodeKind } from '../../engine/node-kind.js';
import { datasetKind } from './dataset-node.js';
import { evalSokobanKind } from './eval-node.js';
import { evalsetKind } from './evalset-node.js';
import { levelsKind } from './levels-node.js';

/** Node kinds of this domain, registered in src/nodes/index.ts. */
export const kinds: readonly NodeKind[] = [levelsKind, evalsetKind, datasetKind, evalSokobanKind];
