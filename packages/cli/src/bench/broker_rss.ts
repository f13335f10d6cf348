// The broker's resident memory, sampled while a bench runs. Sources, in order: --broker-pid,
// the local cluster's pid file ($EDDY_HOME/eddy.pid), the broker's /metrics
// (process_resident_memory_bytes). Reading /proc is cheap, so sampling does not disturb the run.
import { readFileSync } from 'node:fs';
import { localPaths } from '../home.ts';
import type { RssSummary } from './report.ts';

/** VmRSS of a process in bytes, or undefined when the process or /proc cannot be read. */
export function readProcRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** process_resident_memory_bytes from a Prometheus text endpoint. */
export async function fetchMetricsRss(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    const m = /^process_resident_memory_bytes(?:\{[^}]*\})?\s+([0-9.e+]+)/m.exec(await res.text());
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface RssSource {
  label: string;
  read(): Promise<number | undefined>;
}

/** Picks where to read the broker's RSS from; undefined when nothing is known. */
export function resolveRssSource(opts: { brokerPid?: number; metricsUrl?: string }): RssSource | undefined {
  if (opts.brokerPid !== undefined) {
    const pid = opts.brokerPid;
    return { label: `pid ${pid} (--broker-pid)`, read: async () => readProcRss(pid) };
  }
  try {
    const pidFile = localPaths().pidFile;
    const pid = Number(readFileSync(pidFile, 'utf8').trim().split(/\s+/)[0]);
    if (Number.isSafeInteger(pid) && pid > 0 && readProcRss(pid) !== undefined) {
      return { label: `pid ${pid} ($EDDY_HOME/eddy.pid)`, read: async () => readProcRss(pid) };
    }
  } catch {
    // no local cluster pid file: try metrics
  }
  if (opts.metricsUrl !== undefined) {
    const url = opts.metricsUrl;
    return { label: url, read: () => fetchMetricsRss(url) };
  }
  return undefined;
}

const MB = 1e6;

/** Samples a source every `intervalMs` between start() and stop(); keeps before/peak/after. */
export class RssSampler {
  readonly #source: RssSource | undefined;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #before: number | undefined;
  #peak: number | undefined;
  #after: number | undefined;

  constructor(source: RssSource | undefined, intervalMs = 100) {
    this.#source = source;
    this.#intervalMs = intervalMs;
  }

  async start(): Promise<void> {
    if (!this.#source) return;
    this.#before = await this.#source.read();
    this.#peak = this.#before;
    this.#timer = setInterval(() => void this.#sample(), this.#intervalMs);
    this.#timer.unref();
  }

  async #sample(): Promise<void> {
    const v = await this.#source!.read();
    if (v !== undefined && (this.#peak === undefined || v > this.#peak)) this.#peak = v;
  }

  async stop(): Promise<RssSummary | undefined> {
    if (!this.#source) return undefined;
    clearInterval(this.#timer);
    await this.#sample();
    this.#after = await this.#source.read();
    const mb = (b: number | undefined): number | undefined => (b === undefined ? undefined : b / MB);
    return { source: this.#source.label, beforeMb: mb(this.#before), peakMb: mb(this.#peak), afterMb: mb(this.#after) };
  }
}
