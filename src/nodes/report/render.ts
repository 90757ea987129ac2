/**
 * Renders the report as Markdown and as a self-contained HTML page (charts inlined as SVG): provenance (pipeline,
 * run, commit, the exact command), the results per task, the paper's numbers for the same methods, charts, notes
 * and the effective params. Pure: same data, same bytes.
 */
import { cellKey, type ResultCell, type ResultsTable, type TaskTable } from './aggregate.js';
import { PAPER_SOURCE, paperNumber } from './paper-numbers.js';

/** Everything a report shows. `charts` are file names (relative to the report) with their SVG text. */
export interface ReportData {
  readonly title: string;
  readonly provenance: readonly (readonly [string, string])[];
  readonly table: ResultsTable;
  readonly charts: readonly { readonly file: string; readonly caption: string; readonly svg: string }[];
  readonly reproduce: string;
  readonly notes: readonly string[];
  readonly params: readonly { readonly id: string; readonly kind: string; readonly params: string }[];
  /** The headline-effects section in Markdown (effects.ts), '' when the study measures none. */
  readonly effects?: string;
}

/** Escapes text for XML/HTML content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function f2(x: number): string {
  return x.toFixed(2);
}

/** `0.82 [0.73, 0.88]`, with `± sd` over seeds when there are several. */
export function formatCell(c: ResultCell | undefined): string {
  if (c === undefined) return '–';
  const spread = c.seeds > 1 ? ` ± ${f2(c.successStd)}` : '';
  return `${f2(c.success)}${spread} [${f2(c.ciLow)}, ${f2(c.ciHigh)}]`;
}

/** What a task's cells mean, in one sentence (seeds are named only when rows pool seeds). */
function legend(t: TaskTable): string {
  const seeds = [...new Set(t.rows.filter((r) => r.seeds.length > 1).map((r) => r.seeds.length))];
  const pooled = t.rows.some((r) => r.seeds.length <= 1 && t.splits.some((s) => (t.cells.get(cellKey(r.key, s))?.seeds ?? 1) > 1));
  const over = seeds.length > 0
    ? `mean over ${seeds.length === 1 ? `${seeds[0]} seeds` : "each row's seeds"} ± sd between seeds, `
    : pooled ? 'mean over several evaluations of one configuration ± sd, ' : '';
  return `Success rate per split (${over}[95 % Wilson interval over all episodes of the row]).`;
}

function tables(t: TaskTable): { header: string[]; body: string[][]; validity: string[][]; paper: string[][] } {
  const header = ['method', ...t.splits];
  const body = t.rows.map((r) => [r.label + (r.seeds.length > 1 ? ` (seeds ${r.seeds.join(', ')})` : ''), ...t.splits.map((s) => formatCell(t.cells.get(cellKey(r.key, s))))]);
  const validity = t.rows.map((r) => [
    r.label,
    ...t.splits.map((s) => {
      const c = t.cells.get(cellKey(r.key, s));
      return c === undefined ? '–' : f2(c.valid);
    }),
  ]);
  const methods = [...new Set(t.rows.map((r) => r.method))];
  const paper = methods.flatMap((m) => {
    const values = t.splits.map((s) => paperNumber(t.task, m, s));
    return values.every((v) => v === undefined) ? [] : [[m, ...values.map((v) => (v === undefined ? '–' : f2(v)))]];
  });
  return { header, body, validity, paper };
}

function mdTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** The Markdown report; charts are referenced as image files beside it. */
export function renderMarkdown(data: ReportData): string {
  const out: string[] = [`# ${data.title}`, ''];
  out.push(...data.provenance.map(([k, v]) => `- ${k}: ${v.includes('\n') ? v.split('\n')[0] : v}`), '');
  out.push('```sh', data.reproduce.trim(), '```', '');
  for (const t of data.table.tasks) {
    const r = tables(t);
    out.push(`## ${t.task}`, '', legend(t), '', mdTable(r.header, r.body), '');
    if (r.paper.length > 0) out.push(`${PAPER_SOURCE}, same methods:`, '', mdTable(r.header, r.paper), '');
    out.push('Validity (fraction of well-formed, mappable answers):', '', mdTable(r.header, r.validity), '');
  }
  if (data.charts.length > 0) {
    out.push('## Charts', '');
    for (const c of data.charts) out.push(`![${c.caption}](${c.file})`, '', `*${c.caption}*`, '');
  }
  if (data.notes.length > 0) out.push('## Notes', '', ...data.notes.map((n) => `- ${n}`), '');
  if (data.params.length > 0) {
    out.push('## Effective params', '', mdTable(['node', 'kind', 'params'], data.params.map((p) => [p.id, p.kind, `\`${p.params}\``])), '');
  }
  return out.join('\n');
}

/** A cell's HTML: an interval (`[a, b]`) at its end goes on a second, smaller line. */
function cellHtml(text: string): string {
  const m = /^(.*\S) (\[[^\]]*\])$/.exec(text);
  return m === null ? xmlEscape(text) : `${xmlEscape(m[1] as string)}<br><small>${xmlEscape(m[2] as string)}</small>`;
}

function htmlTable(header: readonly string[], body: readonly (readonly string[])[], cls = ''): string {
  return [
    `<table${cls ? ` class="${cls}"` : ''}>`,
    // Long CamelCase split names may wrap between their words, never inside one.
    `<tr>${header.map((h) => `<th>${xmlEscape(h).replace(/([a-z])([A-Z])/g, '$1<wbr>$2')}</th>`).join('')}</tr>`,
    ...body.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${xmlEscape(c)}</th>` : `<td>${cellHtml(c)}</td>`)).join('')}</tr>`),
    '</table>',
  ].join('\n');
}

const STYLE = [
  'body{font-family:Helvetica,Arial,sans-serif;max-width:1040px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.4}',
  'h1{font-size:1.6em;margin-bottom:.3em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}',
  'table{border-collapse:collapse;margin:.6em 0 1em;font-size:12.5px}td,th{border:1px solid #d0d0d0;padding:3px 6px;text-align:right;white-space:nowrap}',
  'tr:first-child th{background:#f3f3f3;white-space:normal;vertical-align:bottom}th:first-child{text-align:left}td small{color:#666}',
  'table.meta td,table.meta th{text-align:left;border:none;padding:1px 12px 1px 0;white-space:normal}table.meta th{color:#666;font-weight:normal;background:none}',
  'table.params td{text-align:left;white-space:normal;font-family:monospace;font-size:12px}table.params td:last-child{word-break:break-all}',
  'figure{margin:1.2em 0}figcaption{font-size:13px;color:#555}svg{max-width:100%;height:auto}',
  'pre{background:#f4f4f4;padding:.8em 1em;overflow:auto}.caption{color:#555;font-size:13px;margin:.2em 0}',
].join('');

/** A self-contained HTML page (charts inline, no scripts). */
export function renderHtml(data: ReportData): string {
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${xmlEscape(data.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<h1>${xmlEscape(data.title)}</h1>`,
    `<table class="meta">\n${data.provenance.map(([k, v]) => `<tr><th>${xmlEscape(k)}</th><td>${xmlEscape(v)}</td></tr>`).join('\n')}\n</table>`,
    `<pre>${xmlEscape(data.reproduce.trim())}</pre>`,
  ];
  for (const t of data.table.tasks) {
    const r = tables(t);
    out.push(`<h2>${xmlEscape(t.task)}</h2>`, `<p class="caption">${xmlEscape(legend(t))}</p>`, htmlTable(r.header, r.body));
    if (r.paper.length > 0) out.push(`<p class="caption">${xmlEscape(PAPER_SOURCE)}, same methods:</p>`, htmlTable(r.header, r.paper));
    out.push('<p class="caption">Validity (fraction of well-formed, mappable answers):</p>', htmlTable(r.header, r.validity));
  }
  if (data.charts.length > 0) {
    out.push('<h2>Charts</h2>');
    for (const c of data.charts) out.push(`<figure>${c.svg}<figcaption>${xmlEscape(c.caption)}</figcaption></figure>`);
  }
  if (data.notes.length > 0) out.push('<h2>Notes</h2><ul>', ...data.notes.map((n) => `<li>${xmlEscape(n)}</li>`), '</ul>');
  if (data.params.length > 0) {
    out.push('<h2>Effective params</h2>', htmlTable(['node', 'kind', 'params'], data.params.map((p) => [p.id, p.kind, p.params]), 'params'));
  }
  out.push('</body></html>', '');
  return out.join('\n');
}
