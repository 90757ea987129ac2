import type { NodeKind } from '../../engine/node-kind.js';
import { grpoKind } from './grpo.js';
import { hfModelKind } from './hf-model.js';
import { sftKind } from './sft.js';

/** Node kinds of this domain, registered in src/nodes/index.ts. */
export const kinds: readonly NodeKind[] = [sftKind, grpoKind, hfModelKind];
