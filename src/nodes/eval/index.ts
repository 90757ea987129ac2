/** SQL views over the tables the evaluators record (e.g. `eval_summary` over `episodes`). */
export { views } from './views.js';
