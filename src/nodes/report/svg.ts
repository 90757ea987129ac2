/**
 * Tiny dependency-free SVG charts for the report: a line chart (training curves) and a grouped bar chart (success
 * per split and method, with CI whiskers). Output is deterministic text, so the report's bytes depend only on its data.
 */

/** One named polyline of (x, y) points. */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Escapes text for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(Math.abs(x) >= 10 ? 1 : 3).replace(/0+$/, '').replace(/\.$/, '');
}

function color(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

/** A line chart of several series sharing axes (non-finite points are skipped). */
export function lineChart(title: string, series: readonly Series[], opts: { xLabel?: string; yLabel?: string } = {}): string {
  const W = 640;
  const H = 320;
  const m = { l: 60, r: 160, t: 30, b: 40 };
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x0 = xs.length ? Math.min(...xs) : 0;
  let x1 = xs.length ? Math.max(...xs) : 1;
  const y0 = ys.length ? Math.min(0, Math.min(...ys)) : 0;
  let y1 = ys.length ? Math.max(...ys) : 1;
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const sx = (x: number): number => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number): number => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${W / 2 - m.r / 2}" y="18" text-anchor="middle" font-size="13">${xmlEscape(title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    const x = x0 + ((x1 - x0) * i) / 4;
    out.push(`<text x="${m.l - 4}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
    out.push(`<text x="${sx(x)}" y="${H - m.b + 14}" text-anchor="middle">${fmt(Math.round(x))}</text>`);
  }
  if (opts.xLabel) out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">${xmlEscape(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text x="14" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(m.t + H - m.b) / 2})">${xmlEscape(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const path = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(' ');
    if (path) out.push(`<path d="${path}" fill="none" stroke="${color(i)}" stroke-width="1.5"/>`);
    out.push(`<rect x="${W - m.r + 10}" y="${m.t + i * 16}" width="10" height="10" fill="${color(i)}"/>`);
    out.push(`<text x="${W - m.r + 24}" y="${m.t + i * 16 + 9}">${xmlEscape(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** One bar: value in [0, 1] with an optional interval. */
export interface Bar {
  readonly value: number;
  readonly low?: number;
  readonly high?: number;
}

/** Grouped bars: one group per category (split), one bar per series (method), y axis fixed to [0, 1]. */
export function barChart(
  title: string,
  categories: readonly string[],
  series: readonly { readonly name: string; readonly bars: readonly (Bar | undefined)[] }[],
): string {
  const groupW = Math.max(24, series.length * 14 + 12);
  const m = { l: 50, r: 160, t: 30, b: 90 };
  const W = m.l + m.r + categories.length * groupW;
  const H = 340;
  const sy = (y: number): number => H - m.b - y * (H - m.t - m.b);
  const barW = (groupW - 10) / Math.max(1, series.length);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${(W - m.r) / 2}" y="18" text-anchor="middle" font-size="13">${xmlEscape(title)}</text>`,
    `<line x1="${m.l}" y1="${sy(0)}" x2="${W - m.r}" y2="${sy(0)}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = i / 4;
    out.push(`<line x1="${m.l}" y1="${sy(y)}" x2="${W - m.r}" y2="${sy(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 4}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  categories.forEach((cat, c) => {
    const gx = m.l + c * groupW + 5;
    series.forEach((s, i) => {
      const bar = s.bars[c];
      if (bar === undefined) return;
      const x = gx + i * barW;
      const v = Math.max(0, Math.min(1, bar.value));
      out.push(`<rect x="${x.toFixed(1)}" y="${sy(v).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(sy(0) - sy(v)).toFixed(1)}" fill="${color(i)}"/>`);
      if (bar.low !== undefined && bar.high !== undefined) {
        const cx = (x + (barW - 1) / 2).toFixed(1);
        out.push(`<line x1="${cx}" y1="${sy(bar.low).toFixed(1)}" x2="${cx}" y2="${sy(bar.high).toFixed(1)}" stroke="#000"/>`);
      }
    });
    const lx = gx + (groupW - 10) / 2;
    out.push(`<text x="${lx}" y="${sy(0) + 12}" text-anchor="end" transform="rotate(-40 ${lx} ${sy(0) + 12})">${xmlEscape(cat)}</text>`);
  });
  series.forEach((s, i) => {
    out.push(`<rect x="${W - m.r + 10}" y="${m.t + i * 16}" width="10" height="10" fill="${color(i)}"/>`);
    out.push(`<text x="${W - m.r + 24}" y="${m.t + i * 16 + 9}">${xmlEscape(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
