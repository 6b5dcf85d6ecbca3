// Minimal SVG charts for reports, written by hand (no dependency): a line chart of numeric series over x and a
// horizontal bar chart. Values are fractions in [0, 1] shown as percent unless `percent: false`.

/** One line of a line chart. */
export interface Series {
  /** Legend label. */
  name: string;
  /** Points (x, y); y may be undefined for gaps. */
  points: Array<[number, number | undefined]>;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A line chart with a y axis from 0 to 1 (percent), x ticks at the data's x values. */
export function lineChart(title: string, xLabel: string, series: Series[], width = 560, height = 320): string {
  const m = { l: 48, r: 150, t: 32, b: 40 };
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const x0 = xs[0] ?? 0;
  const x1 = xs[xs.length - 1] ?? 1;
  const px = (x: number): number => m.l + ((x - x0) / Math.max(1e-9, x1 - x0)) * (width - m.l - m.r);
  const py = (y: number): number => height - m.b - y * (height - m.t - m.b);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`, `<text x="${m.l}" y="18" font-size="13">${esc(title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const y = py(i / 4);
    out.push(`<line x1="${m.l}" x2="${width - m.r}" y1="${y}" y2="${y}" stroke="#ddd"/>`, `<text x="${m.l - 6}" y="${y + 4}" text-anchor="end">${i * 25}%</text>`);
  }
  for (const x of xs) out.push(`<text x="${px(x)}" y="${height - m.b + 16}" text-anchor="middle">${x}</text>`);
  out.push(`<text x="${(m.l + width - m.r) / 2}" y="${height - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = s.points.filter((p): p is [number, number] => p[1] !== undefined);
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${c}"/>`);
    out.push(`<rect x="${width - m.r + 12}" y="${m.t + i * 18 - 8}" width="10" height="10" fill="${c}"/>`, `<text x="${width - m.r + 26}" y="${m.t + i * 18 + 1}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** A horizontal bar chart of fractions in [0, 1], with optional error bars (± one standard error). */
export function barChart(title: string, bars: Array<{ label: string; value: number | undefined; se?: number }>, width = 560): string {
  const rowH = 22;
  const m = { l: 230, r: 60, t: 32, b: 24 };
  const height = m.t + m.b + bars.length * rowH;
  const px = (v: number): number => m.l + v * (width - m.l - m.r);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`, `<text x="8" y="18" font-size="13">${esc(title)}</text>`];
  for (let i = 0; i <= 4; i++) out.push(`<line x1="${px(i / 4)}" x2="${px(i / 4)}" y1="${m.t - 4}" y2="${height - m.b}" stroke="#ddd"/>`, `<text x="${px(i / 4)}" y="${height - 8}" text-anchor="middle">${i * 25}%</text>`);
  bars.forEach((b, i) => {
    const y = m.t + i * rowH;
    out.push(`<text x="${m.l - 6}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>`);
    if (b.value === undefined) return;
    out.push(`<rect x="${m.l}" y="${y + 3}" width="${(px(b.value) - m.l).toFixed(1)}" height="${rowH - 8}" fill="${COLORS[0]}"/>`,
      `<text x="${px(b.value) + 4}" y="${y + 14}">${(100 * b.value).toFixed(1)}%</text>`);
    if (b.se !== undefined && b.se > 0) {
      const a = px(Math.max(0, b.value - b.se));
      const z = px(Math.min(1, b.value + b.se));
      out.push(`<line x1="${a}" x2="${z}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="black"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
