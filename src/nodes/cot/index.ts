import type { NodeKind } from '../../engine/node-kind.js';
import { cotGenerateKind } from './generate.js';

/** Node kinds of this domain, registered in src/nodes/index.ts. */
export const kinds: readonly NodeKind[] = [cotGenerateKind];
