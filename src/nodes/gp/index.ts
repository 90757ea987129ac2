/** General Points node kinds (registered in src/nodes/index.ts); the task API itself is in api.ts. */
import type { NodeKind } from '../../engine/node-kind.js';
import { datasetKind } from './dataset-node.js';
import { evalGpKind } from './eval-node.js';
import { evalsetKind } from './evalset-node.js';

/** Node kinds of this domain: `gp.evalset`, `gp.dataset`, `eval.gp`. */
export const kinds: readonly NodeKind[] = [evalsetKind, datasetKind, evalGpKind];
