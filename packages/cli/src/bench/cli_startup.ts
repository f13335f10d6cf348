// `eddy bench cli`: how long the installed `eddy` command takes to start, against a bare
// `node -e 0` measured in the same run (the floor no command can beat). The command runs as a user
// runs it: bin/eddy.js without the repo's `source` condition, i.e. the compiled bundle that
// `npm run build:dist` writes and the packed package ships. `topic list` talks to a broker this
// bench starts on a free loopback port (its own data dir), so it needs no cluster.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { brokerLaunch } from '../cluster/local_cluster.ts';

const EDDY_JS = fileURLToPath(new URL('../../bin/eddy.js', import.meta.url));

export interface StartupFigure { name: string; medianMs: number; p90Ms: number; minMs: number; runs: number }

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Wall time of one run, in ms; a failed run is an error (a fast failure is not a fast start). */
function timeOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr.toString().trim()}`);
  return ms;
}

/** Starts a throwaway broker; resolves with its port once it listens. */
async function startBroker(dataDir: string): Promise<{ port: number; stop: () => void }> {
  const proc = spawn(process.execPath, [...brokerLaunch().args, '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--metrics-port', '-1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = /"event"\s*:\s*"listening".*?"port"\s*:\s*(\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`the broker exited (${code}) before listening`)));
  });
  return { port, stop: () => proc.kill('SIGTERM') };
}

/** Runs every case `runs` times, interleaved so that load on a shared machine hits them alike. */
export async function measureStartup(runs: number): Promise<StartupFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-cli-'));
  const broker = await startBroker(path.join(dir, 'data'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, EDDY_HOME: dir };
    delete env.NODE_OPTIONS; // as installed: no `source` condition
    const cases: [string, string[]][] = [
      ['node -e 0', ['-e', '0']],
      ['eddy --version', [EDDY_JS, '--version']],
      ['eddy topic list', [EDDY_JS, '--endpoint', `127.0.0.1:${broker.port}`, 'topic', 'list']],
    ];
    for (const [, args] of cases) timeOnce(args, env); // warm the file cache
    const times = cases.map((): number[] => []);
    for (let i = 0; i < runs; i++) cases.forEach(([, args], c) => times[c].push(timeOnce(args, env)));
    return cases.map(([name], c) => {
      const sorted = times[c].sort((a, b) => a - b);
      return { name, medianMs: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9), minMs: sorted[0], runs };
    });
  } finally {
    broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatStartup(figures: StartupFigure[]): string {
  const floor = figures[0].medianMs;
  const rows = figures.map((f) => `${f.name.padEnd(18)}${f.medianMs.toFixed(1).padStart(9)}${f.p90Ms.toFixed(1).padStart(9)}${f.minMs.toFixed(1).padStart(9)}${(f.medianMs - floor).toFixed(1).padStart(12)}`);
  return [`${'COMMAND'.padEnd(18)}${'MEDIAN'.padStart(9)}${'P90'.padStart(9)}${'MIN'.padStart(9)}${'OVER NODE'.padStart(12)}   (ms, ${figures[0].runs} runs each, Node ${process.versions.node})`, ...rows].join('\n');
}

/** Adds `eddy bench cli` under `bench`. */
export function registerCliBench(bench: Command): void {
  bench.command('cli')
    .description('start-up time of the installed eddy command (--version, topic list) against node -e 0')
    .option('--runs <n>', 'runs of each command', '30')
    .option('-O, --output <format>', 'report format: table or json', 'table')
    .action(async (o: { runs: string; output: string }) => {
      const runs = Number(o.runs);
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not '${o.runs}'`);
      const figures = await measureStartup(runs);
      process.stdout.write((o.output === 'json' ? JSON.stringify(figures, null, 2) : formatStartup(figures)) + '\n');
    });
}
