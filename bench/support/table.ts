// Renders results as one table: each figure, every system's value, the ratio Eddy/peer, the target
// and whether Eddy met it. Durability classes are footnotes ([a], [b], ...) next to each value.
import Table from 'cli-table3';
import type { Unit } from '../workloads.ts';
import { EDDY, type Results } from './results.ts';

export function formatValue(unit: Unit, v: number): string {
  switch (unit) {
    case 'records/s':
    case 'msg/s':
    case 'rows/s':
      return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0);
    case 'MB/s':
      return v.toFixed(v >= 100 ? 0 : 1);
    case 'ms':
      return v.toFixed(v >= 10 ? 1 : 2);
    case '%':
      return `${v.toFixed(1)}`;
    case 'MB':
      return v.toFixed(1);
  }
}

export function formatRatio(r: number): string {
  return r >= 10 ? `${r.toFixed(0)}x` : `${r.toFixed(2)}x`;
}

interface Grid {
  head: string[];
  rows: string[][];
  notes: string[];
}

function grid(res: Results, markdown: boolean): Grid {
  const systems = res.systems;
  const peers = systems.filter((s) => s.name !== EDDY);
  const marks = new Map<string, string>();
  const mark = (durability: string | undefined): string => {
    if (!durability) return '';
    let m = marks.get(durability);
    if (!m) {
      m = String.fromCharCode(97 + marks.size);
      marks.set(durability, m);
    }
    return markdown ? ` <sup>${m}</sup>` : ` [${m}]`;
  };
  const head = ['figure', ...systems.map((s) => s.short), ...peers.map((p) => `${EDDY}/${p.short}`), 'target', 'met'];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const s of systems) if (s.unavailable) notes.push(`${s.name} unavailable: ${s.unavailable}`);
  for (const f of res.figures) {
    const row = [`${f.label} (${f.unit}${f.higherIsBetter ? '' : ', lower is better'})`];
    for (const s of systems) {
      const c = f.cells[s.name];
      if (c?.value !== undefined) row.push(formatValue(f.unit, c.value) + mark(c.durability));
      else if (c === undefined || (f.eddyOnly && s.name !== EDDY)) row.push('-');
      else {
        row.push('n/a');
        if (!s.unavailable && c.unavailable) notes.push(`n/a ${s.short}, ${f.label}: ${c.unavailable}`);
      }
    }
    for (const p of peers) row.push(f.ratios[p.name] !== undefined ? formatRatio(f.ratios[p.name]) : '-');
    row.push(f.target.text);
    row.push(f.met === undefined ? '?' : f.met ? 'yes' : 'NO');
    rows.push(row);
  }
  return { head, rows, notes: [...[...marks].map(([d, m]) => `[${m}] ${d}`), ...new Set(notes)] };
}

/** The table for a terminal. */
export function renderText(res: Results): string {
  const g = grid(res, false);
  const t = new Table({ head: g.head, style: { head: [], border: [] }, wordWrap: true, colWidths: [34] });
  for (const r of g.rows) t.push(r);
  return `${t.toString()}\n${g.notes.join('\n')}`;
}

/** Every run of every figure (one per round), to show how much the figures moved between rounds. */
export function renderRunsMarkdown(res: Results): string {
  const systems = res.systems;
  const lines = [
    `| figure | ${systems.map((s) => s.short).join(' | ')} |`,
    `| --- | ${systems.map(() => '---:').join(' | ')} |`,
  ];
  for (const f of res.figures) {
    const cells = systems.map((s) => {
      const c = f.cells[s.name];
      if (c === undefined || (f.eddyOnly && s.name !== EDDY)) return '-';
      const runs = c.detail?.runs;
      return typeof runs === 'string' ? runs : c.value !== undefined ? formatValue(f.unit, c.value) : 'n/a';
    });
    lines.push(`| ${f.label} (${f.unit}) | ${cells.join(' | ')} |`);
  }
  const load = systems.filter((s) => s.loadAvg?.length).map((s) => `${s.short} ${s.loadAvg!.join(', ')}`).join('; ');
  return `${lines.join('\n')}\n\n1-minute load average at the start of each turn: ${load}.\n`;
}

/** The same table in GitHub Markdown (for BENCHMARKS.md). */
export function renderMarkdown(res: Results): string {
  const g = grid(res, true);
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [
    `| ${g.head.map(esc).join(' | ')} |`,
    `| ${g.head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...g.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
  const notes = g.notes.map((n) => n.replace(/^\[(\w)\]/, '<sup>$1</sup>'));
  return `${lines.join('\n')}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
}
