/**
 * pipe's built-in node library: every domain's kinds plus the SQL views over the tables they record.
 * The CLI hands this to the engine; the engine never imports src/nodes.
 */
import type { NodeKind, NodeLibrary } from '../engine/node-kind.js';
import { kinds as corpusKinds } from './corpus/index.js';
import { kinds as cotKinds } from './cot/index.js';
import { kinds as curveKinds } from './curve/index.js';
import { kinds as dataKinds } from './data/index.js';
import { views as evalViews } from './eval/index.js';
import { kinds as execKinds } from './exec/index.js';
import { kinds as gpKinds } from './gp/index.js';
import { kinds as reportKinds } from './report/index.js';
import { kinds as sokobanKinds } from './sokoban/index.js';
import { kinds as trainKinds } from './train/index.js';

const kinds: readonly NodeKind[] = [
  ...execKinds,
  ...sokobanKinds,
  ...gpKinds,
  ...cotKinds,
  ...corpusKinds,
  ...dataKinds,
  ...trainKinds,
  ...curveKinds,
  ...reportKinds,
];

export const library: NodeLibrary = { kinds, views: { ...evalViews } };
