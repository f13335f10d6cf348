import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ConnectorState } from '@eddy/protocol';
import type { ConnectorStatus } from '@eddy/protocol';
import type { Controller, ConnectorObject, MetadataEvent } from '../controller/index.ts';
import { MetadataKind } from '../controller/index.ts';
import { connectorBin } from './connector_types.ts';
import { connectorFiles, type ConnectorFiles } from './connector_files.ts';
import { ConnectorLog, LineSplitter } from './connector_log.ts';
import { parseSecrets } from './connector_secrets.ts';

/** The kit's exit code for a bad config or usage: restarting cannot help, so the connector fails. */
const EXIT_USAGE = 2;

export interface ConnectorSupervisorOptions {
  controller: Controller;
  /** `host:port` the connectors produce to and consume from (this broker). */
  endpoint: string;
  logger?: Logger;
  /** First restart delay; doubles per crash up to maxBackoffMs (default 1 s). */
  minBackoffMs?: number;
  /** Default 30 s. */
  maxBackoffMs?: number;
  /** Running this long resets the backoff (default 60 s). */
  resetAfterMs?: number;
  /** How long a stop waits after SIGTERM before SIGKILL (default 5 s). */
  stopTimeoutMs?: number;
}

/** One connector generation being run: its process, restarts and what it last said. */
interface Run {
  name: string;
  generation: number;
  files: ConnectorFiles;
  log: ConnectorLog;
  child: ChildProcess | null;
  exited: Promise<void>;
  timer: NodeJS.Timeout | null;
  stopping: boolean;
  delay: number;
  status: ConnectorStatus;
  /** The connector's last stderr line (redacted): its failure, when it exits non-zero. */
  lastStderr: string | null;
}

/**
 * Runs cluster-managed connectors (kind 'connector'): one process per connector from its type's
 * bin, restarted with backoff when it crashes, its output captured to a capped log under the data
 * dir; stopped on delete, restarted on update, stopped at broker shutdown. Status goes to the
 * controller, which keeps it in the connector's object.
 */
export class ConnectorSupervisor {
  private readonly opts: ConnectorSupervisorOptions;
  private readonly controller: Controller;
  private readonly runs = new Map<string, Run>();
  /** Serialises starts and stops per connector name. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly statusWrites = new Set<Promise<void>>();
  private unwatch: (() => void) | null = null;
  private closed = false;

  constructor(opts: ConnectorSupervisorOptions) {
    this.opts = opts;
    this.controller = opts.controller;
  }

  /** Starts every stored connector and follows changes. */
  async start(): Promise<void> {
    this.controller.setConnectorRuntime(this);
    this.unwatch = this.controller.watch((ev) => this.onChange(ev), [MetadataKind.connector]);
    for (const c of this.controller.connectors()) {
      stopOrphan(c);
      this.serial(c.name, () => this.launch(c));
    }
    await Promise.all(this.chains.values());
  }

  /** The connector's current run status, as this supervisor sees it. */
  status(name: string): ConnectorStatus | undefined {
    return this.runs.get(name)?.status;
  }

  /** Stops the connector's process (the controller calls this before deleting it). */
  stop(name: string): Promise<void> {
    return this.serial(name, () => this.halt(name));
  }

  /** Stops every connector (broker shutdown) and waits for their last status writes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unwatch?.();
    this.controller.setConnectorRuntime(null);
    await Promise.all([...this.runs.keys()].map((n) => this.stop(n)));
    await Promise.all(this.statusWrites);
  }

  private onChange(ev: MetadataEvent): void {
    if (this.closed) return;
    if (ev.op === 'delete') { void this.stop(ev.name); return; }
    const c = ev.object as ConnectorObject;
    const run = this.runs.get(ev.name);
    // Status writes are upserts too: only a new generation (create or update) restarts.
    if (run !== undefined && run.generation === c.spec.generation) return;
    this.serial(ev.name, async () => {
      const now = this.controller.connector(ev.name);
      if (!now || this.closed) return;
      if (this.runs.get(ev.name)?.generation === now.spec.generation) return;
      await this.halt(ev.name);
      await this.launch(now);
    });
  }

  private serial(name: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(name) ?? Promise.resolve()).then(fn).catch((err: unknown) => {
      this.opts.logger?.error({ connector: name, err: (err as Error).message }, 'connector supervisor step failed');
    });
    this.chains.set(name, next);
    void next.then(() => { if (this.chains.get(name) === next) this.chains.delete(name); });
    return next;
  }

  private async launch(c: ConnectorObject): Promise<void> {
    const files = connectorFiles(this.controller.dataDir, c.name);
    await mkdir(files.dir, { recursive: true, mode: 0o700 });
    await writeFile(files.config, c.spec.config, { mode: 0o600 });
    let secretValues: string[] = [];
    const secretsText = await readFile(files.secrets, 'utf8').catch(() => null);
    if (secretsText !== null) secretValues = [...parseSecrets(secretsText).values()];
    const run: Run = {
      name: c.name, generation: c.spec.generation, files,
      log: new ConnectorLog(files, secretValues),
      child: null, exited: Promise.resolve(), timer: null, stopping: false,
      delay: this.opts.minBackoffMs ?? 1000,
      status: { state: ConnectorState.stopped, restarts: 0, lastError: null, pid: null, startedAtMs: null },
      lastStderr: null,
    };
    this.runs.set(c.name, run);
    this.spawnProcess(run, c.spec.type, secretsText !== null);
  }

  private spawnProcess(run: Run, type: string, withSecrets: boolean): void {
    run.timer = null;
    if (run.stopping) return;
    let bin: string;
    try {
      bin = connectorBin(type);
    } catch (err) {
      this.setStatus(run, { ...run.status, state: ConnectorState.failed, lastError: (err as Error).message, pid: null });
      return;
    }
    const args = [bin, '--config', run.files.config, '--endpoint', this.opts.endpoint, '--metrics-port', '-1'];
    if (withSecrets) args.push('--secrets', run.files.secrets);
    const began = Date.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: run.files.dir });
    run.child = child;
    run.lastStderr = null;
    const out = new LineSplitter((lines) => void run.log.write(lines));
    const err = new LineSplitter((lines) => {
      for (let i = lines.length - 1; i >= 0; i--) {
        if (lines[i].trim() !== '') { run.lastStderr = run.log.redact(lines[i].trim()).slice(0, 1000); break; }
      }
      void run.log.write(lines);
    });
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    run.exited = new Promise<void>((resolve) => {
      child.once('error', (e) => {
        run.lastStderr = `cannot start: ${e.message}`;
      });
      child.once('close', (code, signal) => {
        out.end();
        err.end();
        run.child = null;
        this.exitedWith(run, type, withSecrets, code, signal, Date.now() - began);
        resolve();
      });
    });
    this.opts.logger?.info({ connector: run.name, type, pid: child.pid, generation: run.generation }, 'connector started');
    void run.log.write([`[eddy] started ${type} (pid ${child.pid ?? '?'}, generation ${run.generation})`]);
    this.setStatus(run, { ...run.status, state: ConnectorState.running, pid: child.pid ?? null, startedAtMs: began, lastError: run.status.lastError });
  }

  private exitedWith(run: Run, type: string, withSecrets: boolean, code: number | null, signal: NodeJS.Signals | null, ranMs: number): void {
    const how = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
    if (run.stopping) {
      void run.log.write([`[eddy] stopped (${how})`]);
      this.setStatus(run, { ...run.status, state: ConnectorState.stopped, pid: null });
      return;
    }
    const lastError = run.lastStderr !== null ? `${how}: ${run.lastStderr}` : how;
    if (code === 0) {
      void run.log.write(['[eddy] finished (exit code 0)']);
      this.setStatus(run, { ...run.status, state: ConnectorState.stopped, pid: null });
      return;
    }
    if (code === EXIT_USAGE) {
      void run.log.write([`[eddy] failed: ${lastError}; not restarting (fix the config and run update)`]);
      this.opts.logger?.warn({ connector: run.name, lastError }, 'connector failed on its config');
      this.setStatus(run, { ...run.status, state: ConnectorState.failed, pid: null, lastError });
      return;
    }
    if (ranMs > (this.opts.resetAfterMs ?? 60_000)) run.delay = this.opts.minBackoffMs ?? 1000;
    const delay = run.delay;
    run.delay = Math.min(run.delay * 2, this.opts.maxBackoffMs ?? 30_000);
    void run.log.write([`[eddy] ${how}; restarting in ${delay} ms`]);
    this.opts.logger?.warn({ connector: run.name, lastError, restarts: run.status.restarts + 1, delayMs: delay }, 'connector exited; restarting');
    this.setStatus(run, { ...run.status, state: ConnectorState.restarting, pid: null, lastError, restarts: run.status.restarts + 1 });
    run.timer = setTimeout(() => this.spawnProcess(run, type, withSecrets), delay);
  }

  /** Stops the connector's current run: SIGTERM (the kit flushes and commits), then SIGKILL. */
  private async halt(name: string): Promise<void> {
    const run = this.runs.get(name);
    if (!run) return;
    run.stopping = true;
    if (run.timer !== null) { clearTimeout(run.timer); run.timer = null; }
    const child = run.child;
    if (child !== null) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), this.opts.stopTimeoutMs ?? 5000);
      await run.exited;
      clearTimeout(kill);
    } else {
      this.setStatus(run, { ...run.status, state: ConnectorState.stopped, pid: null });
    }
    await run.log.flushed();
    if (this.runs.get(name) === run) this.runs.delete(name);
  }

  /** Keeps the status here and hands it to the controller without waiting (it may hold its lock for a delete). */
  private setStatus(run: Run, status: ConnectorStatus): void {
    run.status = status;
    const w = this.controller.setConnectorStatus(run.name, run.generation, status).catch((err: unknown) => {
      this.opts.logger?.warn({ connector: run.name, err: (err as Error).message }, 'could not record connector status');
    });
    this.statusWrites.add(w);
    void w.then(() => this.statusWrites.delete(w));
  }
}

/**
 * A connector process left running by a broker that was killed: its stored pid, if that process
 * still runs this connector's config (checked on /proc, so a reused pid is not hit), is stopped.
 */
function stopOrphan(c: ConnectorObject): void {
  const pid = c.status.pid;
  if (pid === null || pid <= 0 || pid === process.pid) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(`/connectors/${c.name}/config.yaml`)) process.kill(pid, 'SIGKILL');
  } catch { /* gone, or not Linux */ }
}
