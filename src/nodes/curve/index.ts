import type { NodeKind } from '../../engine/node-kind.js';
import { evalCurveKind } from './eval-curve.js';

/** Node kinds of this domain, registered in src/nodes/index.ts. */
export const kinds: readonly NodeKind[] = [evalCurveKind];
