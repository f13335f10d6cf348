// A hand-written SVG of a run: top, Eddy against each target (how far past or short of it);
// bottom, Eddy against each peer (times better, log scale; latency and memory inverted so that
// right of 1x always means Eddy is better). No dependencies: plain strings.
import { EDDY, type Results } from './results.ts';
import { formatRatio } from './table.ts';

interface Bar {
  series: string;
  value: number;
  text: string;
}
interface Row {
  label: string;
  bars: Bar[];
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];
const WIDTH = 980;
const LABEL_W = 330;
const PLOT_W = 520;
const BAR_H = 14;
const GAP = 10;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One horizontal bar panel on a log axis from lo to hi, with a reference line at `ref`. */
function panel(y0: number, title: string, rows: Row[], series: string[], lo: number, hi: number, ref: number, refLabel: string, ticks: number[]): { svg: string; height: number } {
  const x = (v: number): number => LABEL_W + (Math.log10(Math.min(Math.max(v, lo), hi) / lo) / Math.log10(hi / lo)) * PLOT_W;
  const out: string[] = [];
  out.push(`<text x="16" y="${y0 + 20}" font-size="15" font-weight="bold">${esc(title)}</text>`);
  // legend
  let lx = LABEL_W;
  series.forEach((s, i) => {
    out.push(`<rect x="${lx}" y="${y0 + 30}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${lx + 14}" y="${y0 + 39}" font-size="11">${esc(s)}</text>`);
    lx += 24 + s.length * 6.5;
  });
  let y = y0 + 56;
  const top = y;
  for (const row of rows) {
    const h = Math.max(1, row.bars.length) * BAR_H;
    out.push(`<text x="${LABEL_W - 8}" y="${y + h / 2 + 4}" font-size="12" text-anchor="end">${esc(row.label)}</text>`);
    row.bars.forEach((b, i) => {
      const c = COLORS[series.indexOf(b.series) % COLORS.length];
      const by = y + i * BAR_H;
      const w = Math.max(1, x(b.value) - LABEL_W);
      out.push(`<rect x="${LABEL_W}" y="${by + 1}" width="${w.toFixed(1)}" height="${BAR_H - 2}" fill="${c}"><title>${esc(`${b.series}: ${b.text}`)}</title></rect>`);
      out.push(`<text x="${(LABEL_W + w + 4).toFixed(1)}" y="${by + BAR_H - 3}" font-size="10">${esc(b.text)}</text>`);
    });
    if (row.bars.length === 0) out.push(`<text x="${LABEL_W + 4}" y="${y + BAR_H - 3}" font-size="10" fill="#888">no data</text>`);
    y += h + GAP;
  }
  const bottom = y - GAP + 4;
  for (const t of ticks) {
    const tx = x(t);
    out.push(`<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${bottom}" stroke="#ddd"/><text x="${tx}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#666">${t}x</text>`);
  }
  const rx = x(ref);
  out.push(`<line x1="${rx}" y1="${top - 6}" x2="${rx}" y2="${bottom}" stroke="#111" stroke-dasharray="4 3"/><text x="${rx + 3}" y="${top - 8}" font-size="10">${esc(refLabel)}</text>`);
  return { svg: out.join('\n'), height: bottom + 24 - y0 };
}

/** Eddy's value relative to its numeric target: >= 1 means met. */
function vsTarget(f: Results['figures'][number]): number | undefined {
  const v = f.cells[EDDY]?.value;
  if (v === undefined || v <= 0) return undefined;
  const parts: number[] = [];
  if (f.target.min !== undefined) parts.push(v / f.target.min);
  if (f.target.max !== undefined) parts.push(f.target.max / v);
  if (f.target.vs && f.ratios[f.target.vs.peer] !== undefined) parts.push(f.ratios[f.target.vs.peer] / f.target.vs.factor);
  return parts.length ? Math.min(...parts) : undefined;
}

export function renderSvg(res: Results): string {
  const peerInfos = res.systems.filter((s) => s.name !== EDDY);
  const peers = peerInfos.map((s) => s.short);
  const targetRows: Row[] = res.figures.map((f) => {
    const r = vsTarget(f);
    return { label: f.label, bars: r === undefined ? [] : [{ series: EDDY, value: r, text: `${formatRatio(r)} of target (${f.target.text})` }] };
  });
  const peerRows: Row[] = res.figures.filter((f) => !f.eddyOnly).map((f) => ({
    label: f.label,
    bars: peerInfos.filter((p) => f.ratios[p.name] !== undefined).map((p) => {
      const better = f.higherIsBetter ? f.ratios[p.name] : 1 / f.ratios[p.name];
      return { series: p.short, value: better, text: `${formatRatio(better)}` };
    }),
  }));
  const a = panel(40, 'Eddy against the targets (right of 1x: target met)', targetRows, [EDDY], 0.05, 20, 1, 'target', [0.1, 0.3, 1, 3, 10]);
  const b = panel(40 + a.height + 10, 'Eddy against each peer: times better (latency, memory inverted; log scale)', peerRows, peers, 0.05, 100, 1, 'par', [0.1, 0.3, 1, 3, 10, 30, 100]);
  const height = 40 + a.height + 10 + b.height + 30;
  const title = `Eddy side by side — ${res.machine.nproc} CPUs, ${res.machine.cpuModel}, Node ${res.machine.node}${res.smoke ? ' (SMOKE: tiny counts, not figures)' : ''} — ${res.when.slice(0, 10)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="16" y="24" font-size="13" fill="#333">${esc(title)}</text>`,
    a.svg,
    b.svg,
    `</svg>`,
    '',
  ].join('\n');
}
