/**
 * The pipeline's DAG as text for a picture: Graphviz DOT (`pipe plan x.yaml --dot | dot -Tsvg > dag.svg`) or
 * Mermaid (pastes into Markdown on GitHub). One box per node instance, labelled with its id and kind, one edge per
 * input (labelled with the output it reads when that is not the only one), coloured by the plan's status.
 */
import type { Pipeline } from '../engine/pipeline.js';

/** A node's plan status, as `planPipeline` gives it. */
export type DagStatus = 'cached' | 'run' | 'pending';

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

function edgesOf(pipeline: Pipeline): Edge[] {
  const edges: Edge[] = [];
  for (const inst of pipeline.instances) {
    for (const [input, ref] of Object.entries(inst.inputs)) {
      const sources = ref.gather ? ref.gather.map((g) => g.node) : [ref.node];
      for (const from of sources) edges.push({ from, to: inst.id, label: input === ref.output ? input : `${ref.output} → ${input}` });
    }
  }
  return edges;
}

const DOT_FILL: Readonly<Record<DagStatus, string>> = { cached: '#e8f5e9', run: '#fff3e0', pending: '#f5f5f5' };

/** Graphviz DOT. */
export function toDot(pipeline: Pipeline, status: ReadonlyMap<string, DagStatus>): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = [`digraph ${q(pipeline.name)} {`, '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontname="Helvetica"];'];
  for (const inst of pipeline.instances) {
    const st = status.get(inst.id) ?? 'pending';
    lines.push(`  ${q(inst.id)} [label=${q(`${inst.id}\n${inst.kind.kind} · ${st === 'run' ? 'will run' : st}`)}, fillcolor=${q(DOT_FILL[st])}];`);
  }
  for (const e of edgesOf(pipeline)) lines.push(`  ${q(e.from)} -> ${q(e.to)} [label=${q(e.label)}, fontsize=10];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Mermaid flowchart. Ids are numbered (instance ids such as `train[seed=1]` are not Mermaid ids). */
export function toMermaid(pipeline: Pipeline, status: ReadonlyMap<string, DagStatus>): string {
  const ids = new Map(pipeline.instances.map((inst, i) => [inst.id, `n${i}`]));
  // Mermaid labels: quotes and brackets are markup; show them as HTML entities.
  const text = (s: string): string => s.replace(/"/g, '#quot;');
  const lines = ['flowchart LR'];
  for (const inst of pipeline.instances) {
    const st = status.get(inst.id) ?? 'pending';
    lines.push(`  ${ids.get(inst.id)}["${text(inst.id)}<br/><small>${text(inst.kind.kind)}</small>"]:::${st}`);
  }
  for (const e of edgesOf(pipeline)) lines.push(`  ${ids.get(e.from) ?? e.from} -->|"${text(e.label)}"| ${ids.get(e.to)}`);
  lines.push('  classDef cached fill:#e8f5e9,stroke:#2e7d32', '  classDef run fill:#fff3e0,stroke:#ef6c00', '  classDef pending fill:#f5f5f5,stroke:#9e9e9e');
  return `${lines.join('\n')}\n`;
}
