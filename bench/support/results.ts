// The results of a side-by-side run: what peers.ts records, writes as JSON, and renders.
import type { Figure, FigureId, Sizes, Target, Unit } from '../workloads.ts';
import type { Machine } from './machine.ts';

export interface Cell {
  value?: number;
  /** Why there is no value (system or operation unavailable, run failed). */
  unavailable?: string;
  /** What an ack meant for this figure on this system. */
  durability?: string;
  /** More numbers for the JSON (records/s next to MB/s, latency percentiles, ...). */
  detail?: Record<string, number | string>;
}

export interface FigureResult {
  id: FigureId;
  label: string;
  unit: Unit;
  higherIsBetter: boolean;
  target: Target;
  eddyOnly: boolean;
  /** By system name. */
  cells: Record<string, Cell>;
  /** Eddy/peer by peer name (only where both have a value). */
  ratios: Record<string, number>;
  /** Whether Eddy met the target; undefined when it could not be judged. */
  met: boolean | undefined;
}

export interface SystemInfo {
  name: string;
  short: string;
  version: string;
  /** 1-minute load average when each of its turns began (other work on the machine skews figures). */
  loadAvg?: number[];
  /** Set when the system could not be started at all. */
  unavailable?: string;
}

export interface Results {
  format: 'eddy-bench-peers/1';
  when: string;
  smoke: boolean;
  sizes: Sizes;
  /** Rounds over all systems; each figure is the median of its runs. */
  repeat: number;
  machine: Machine;
  command: string;
  systems: SystemInfo[];
  figures: FigureResult[];
}

export const EDDY = 'Eddy';

export function emptyFigure(f: Figure): FigureResult {
  return { id: f.id, label: f.label, unit: f.unit, higherIsBetter: f.higherIsBetter, target: f.target, eddyOnly: f.eddyOnly === true, cells: {}, ratios: {}, met: undefined };
}

/** Fills ratios and met from the cells. */
export function judge(r: FigureResult): void {
  const eddy = r.cells[EDDY]?.value;
  r.ratios = {};
  if (eddy === undefined) {
    r.met = undefined;
    return;
  }
  for (const [name, cell] of Object.entries(r.cells)) {
    if (name !== EDDY && cell.value !== undefined && cell.value > 0) r.ratios[name] = eddy / cell.value;
  }
  const t = r.target;
  let met = true;
  if (t.min !== undefined && eddy < t.min) met = false;
  if (t.max !== undefined && eddy > t.max) met = false;
  if (t.vs) {
    const ratio = r.ratios[t.vs.peer];
    if (ratio === undefined) {
      r.met = met ? undefined : false; // cannot confirm the ratio part
      return;
    }
    if (ratio < t.vs.factor) met = false;
  }
  r.met = met;
}
