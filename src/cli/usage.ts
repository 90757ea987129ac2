/** Top-level help text. Each subcommand prints its own details with `--help`. */
export const usage = `Usage: pipe <command> [options]

Pipelines
  run <pipeline.yaml>     run what changed [--set node.param=value] [--only node] [--force node] [--jobs N]
                          [--store DIR] [--keep-going] [--json]
  plan <pipeline.yaml>    what would run and why, without running anything
  watch <pipeline.yaml>   re-plan and rerun affected nodes on every save
  audit <pipeline.yaml>   re-execute cached nodes with the cache off and compare outputs [--node id]
  query "<SQL>"           SQL (DuckDB) over runs, node_runs, artifacts, cache_keys, metrics, episodes… [--json|--csv]
  ls | show <node> | gc   what the store holds; one node's key and history; delete unreferenced objects
  report <pipeline.yaml>  write the results report of a pipeline's evaluations

Tasks and models
  sokoban generate|stats|solve|render|play   levels, optimal solvers (BFS, A*), rendering, interactive play
  gp solve|deal|score|render                 General Points solver, dealing, the paper's scorer
  doctor                  check execution providers, gradients and a tiny training run on this machine

Exit codes: 0 ok, 1 a node failed, 2 bad input.
`;
