import type { NodeKind } from '../../engine/node-kind.js';
import { evalCurveKind } from './eval-curve.js';

/** Node kinds of this domain, registered in src/nodes/index.ts. */
export const kinds: readonly NodeKind[] = [evalCurveKind];

/** SQL views over the tables the evaluators record (e.g. `eval_summary` over `episodes`). */
export { views } from './views.js';
