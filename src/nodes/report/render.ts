/**
 * Renders the report as Markdown and as a self-contained HTML page (charts inlined as SVG), from an aggregated table,
 * training curves and reproduce instructions. Pure: same data, same bytes.
 */
import { cellKey, type ResultCell, type ResultsTable } from './aggregate.js';
import { paperCell } from './paper-numbers.js';
import { xmlEscape } from './svg.js';

/** Everything a report shows. `charts` are file names (relative to the report) with their SVG text. */
export interface ReportData {
  readonly title: string;
  readonly table: ResultsTable;
  readonly charts: readonly { readonly file: string; readonly caption: string; readonly svg: string }[];
  readonly reproduce: string;
  readonly notes: readonly string[];
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

function rows(data: ReportData): { task: string; header: string[]; body: string[][]; validity: string[][] }[] {
  return data.table.tasks.map((t) => {
    const header = ['method', ...t.splits];
    const body = t.methods.map((m) => [m, ...t.splits.map((s) => formatCell(t.cells.get(cellKey(m, s))))]);
    const paper = t.splits.map((s) => paperCell(t.task, s));
    if (paper.some((p) => p !== '')) body.push(['paper (8B models)', ...paper.map((p) => p || '–')]);
    const validity = t.methods.map((m) => [
      m,
      ...t.splits.map((s) => {
        const c = t.cells.get(cellKey(m, s));
        return c === undefined ? '–' : f2(c.valid);
      }),
    ]);
    return { task: t.task, header, body, validity };
  });
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
  out.push('Success rate per split (mean over seeds ± sd, [95 % Wilson interval over pooled episodes]).', '');
  for (const r of rows(data)) {
    out.push(`## ${r.task}`, '', mdTable(r.header, r.body), '', 'Validity (fraction of well-formed, mappable answers):', '');
    out.push(mdTable(r.header, r.validity), '');
  }
  if (data.charts.length > 0) {
    out.push('## Charts', '');
    for (const c of data.charts) out.push(`![${c.caption}](${c.file})`, '');
  }
  if (data.notes.length > 0) out.push('## Notes', '', ...data.notes.map((n) => `- ${n}`), '');
  out.push('## Reproduce', '', '```sh', data.reproduce.trim(), '```', '');
  return out.join('\n');
}

function htmlTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  return [
    '<table>',
    `<tr>${header.map((h) => `<th>${xmlEscape(h)}</th>`).join('')}</tr>`,
    ...body.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${xmlEscape(c)}</th>` : `<td>${xmlEscape(c)}</td>`)).join('')}</tr>`),
    '</table>',
  ].join('\n');
}

/** A self-contained HTML page (charts inline). */
export function renderHtml(data: ReportData): string {
  const out: string[] = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<title>${xmlEscape(data.title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th:first-child{text-align:left}figure{margin:1em 0}pre{background:#f4f4f4;padding:1em;overflow:auto}</style>',
    '</head><body>',
    `<h1>${xmlEscape(data.title)}</h1>`,
    '<p>Success rate per split (mean over seeds ± sd, [95 % Wilson interval over pooled episodes]).</p>',
  ];
  for (const r of rows(data)) {
    out.push(`<h2>${xmlEscape(r.task)}</h2>`, htmlTable(r.header, r.body));
    out.push('<p>Validity (fraction of well-formed, mappable answers):</p>', htmlTable(r.header, r.validity));
  }
  if (data.charts.length > 0) {
    out.push('<h2>Charts</h2>');
    for (const c of data.charts) out.push(`<figure>${c.svg}<figcaption>${xmlEscape(c.caption)}</figcaption></figure>`);
  }
  if (data.notes.length > 0) out.push('<h2>Notes</h2><ul>', ...data.notes.map((n) => `<li>${xmlEscape(n)}</li>`), '</ul>');
  out.push('<h2>Reproduce</h2>', `<pre>${xmlEscape(data.reproduce.trim())}</pre>`, '</body></html>', '');
  return out.join('\n');
}
