// A dependency-free SVG line chart: latency percentiles (log scale) against offered load.
// Infinite latencies (percentiles that fall among undelivered messages) are left off the chart; the tables show them as ∞.
import { type Chart } from './model';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

export function renderSvg(chart: Chart, width = 760, height = 420): string {
  const m = { left: 70, right: 190, top: 40, bottom: 50 };
  const points = chart.series.flatMap((s) => s.points).filter((p) => p.y > 0 && Number.isFinite(p.y));
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(1, ...xs) * 1.05;
  const yMin = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(1, ...ys)))));
  const yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(10, ...ys))));
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const x = (v: number): number => m.left + ((v - xMin) / (xMax - xMin)) * w;
  const y = (v: number): number => m.top + h - ((Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * h;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${m.left}" y="22" font-size="15" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  for (let d = yMin; d <= yMax * 1.0001; d *= 10) {
    out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${y(d)}" y2="${y(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 8}" y="${y(d) + 4}" text-anchor="end">${d >= 1 ? d : d.toPrecision(1)}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = xMin + ((xMax - xMin) * i) / 5;
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${m.top}" y2="${m.top + h}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${m.top + h + 18}" text-anchor="middle">${Math.round(v)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.left + w / 2}" y="${height - 10}" text-anchor="middle">${escape(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`);
  chart.series.forEach((series, i) => {
    const color = COLORS[Math.floor(i / 2) % COLORS.length] ?? '#000';
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    const line = series.points.filter((p) => p.y > 0 && Number.isFinite(p.y)).map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    if (line) out.push(`<polyline points="${line}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const p of series.points.filter((q) => q.y > 0 && Number.isFinite(q.y))) out.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    const ly = m.top + 10 + i * 18;
    out.push(`<line x1="${m.left + w + 15}" x2="${m.left + w + 45}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${m.left + w + 52}" y="${ly + 4}">${escape(series.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
