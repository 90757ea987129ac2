import type { NodeKind } from '../../engine/node-kind.js';

/** Node kinds of this domain, registered in src/nodes/index.ts. */
export const kinds: readonly NodeKind[] = [];

/** SQL views over the tables the evaluators record (e.g. `eval_summary` over `episodes`). */
export const views: Readonly<Record<string, string>> = {};
