import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eddyHome } from '@eddy/client';
import { CdkError } from './project.ts';

/** What `deploy start` records for a deployment (never secret values: only the secrets file's path). */
export interface DeploymentState {
  name: string;
  type: string | null;
  bin: string;
  config: string;
  secrets: string | null;
  endpoint: string | null;
  /** The supervisor's pid (it runs the connector and restarts it). */
  supervisorPid: number;
  /** The connector process's pid while it runs. */
  connectorPid: number | null;
  status: 'starting' | 'running' | 'restarting' | 'finished' | 'stopped';
  restarts: number;
  lastExit: string | null;
  startedAt: string;
}

export function connectorsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(eddyHome(env), 'connectors');
}

export function deploymentDir(name: string, env?: NodeJS.ProcessEnv): string {
  return join(connectorsDir(env), name);
}

export function readState(name: string, env?: NodeJS.ProcessEnv): DeploymentState | null {
  try {
    return JSON.parse(readFileSync(join(deploymentDir(name, env), 'state.json'), 'utf8')) as DeploymentState;
  } catch {
    return null;
  }
}

export function writeState(st: DeploymentState, env?: NodeJS.ProcessEnv): void {
  const file = join(deploymentDir(st.name, env), 'state.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(st, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function alive(pid: number | null): boolean {
  if (pid === null || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function listDeployments(env?: NodeJS.ProcessEnv): DeploymentState[] {
  const dir = connectorsDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().map((n) => readState(n, env)).filter((s): s is DeploymentState => s !== null)
    .map((s) => (alive(s.supervisorPid) || s.status === 'finished' ? s : { ...s, status: 'stopped' as const }));
}

export interface StartDeployment {
  name: string;
  type: string | undefined;
  bin: string;
  config: string;
  secrets?: string;
  endpoint?: string;
  /** The cdk entry the supervisor runs (this package's bin). */
  cdkEntry: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a supervised deployment; refuses a name that already runs. */
export async function startDeployment(o: StartDeployment): Promise<DeploymentState> {
  const existing = readState(o.name, o.env);
  if (existing !== null && alive(existing.supervisorPid)) {
    throw new CdkError(`connector '${o.name}' is already deployed (pid ${existing.supervisorPid}); shut it down first: cdk deploy shutdown --name ${o.name}`);
  }
  const dir = deploymentDir(o.name, o.env);
  mkdirSync(dir, { recursive: true });
  const st: DeploymentState = {
    name: o.name, type: o.type ?? null, bin: o.bin, config: resolve(o.config), secrets: o.secrets === undefined ? null : resolve(o.secrets),
    endpoint: o.endpoint ?? null, supervisorPid: 0, connectorPid: null, status: 'starting', restarts: 0, lastExit: null, startedAt: new Date().toISOString(),
  };
  writeState(st, o.env);
  const log = openSync(join(dir, 'connector.log'), 'a');
  const child = spawn(process.execPath, [o.cdkEntry, 'deploy', 'supervise', '--name', o.name], {
    detached: true, stdio: ['ignore', log, log], env: o.env ?? process.env,
  });
  closeSync(log);
  child.unref();
  st.supervisorPid = child.pid ?? 0;
  // The supervisor rewrites the state as it goes; record its pid only if it has not yet.
  const now = readState(o.name, o.env);
  if (now !== null && now.supervisorPid === 0) writeState({ ...now, supervisorPid: st.supervisorPid }, o.env);
  return { ...st };
}

/** SIGTERM to the supervisor (it stops the connector gracefully), then removes the deployment. */
export async function shutdownDeployment(name: string, env?: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<boolean> {
  const st = readState(name, env);
  if (st === null) throw new CdkError(`no connector deployment named '${name}'`);
  const pid = st.supervisorPid;
  if (alive(pid)) {
    process.kill(pid, 'SIGTERM');
    const end = Date.now() + timeoutMs;
    while (alive(pid) && Date.now() < end) await sleep(50);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(deploymentDir(name, env), { recursive: true, force: true });
  return true;
}

/**
 * The supervisor loop (`cdk deploy supervise --name N`, started detached by `deploy start`): runs
 * the connector, restarts it with backoff (1 s doubling to 30 s; reset after 60 s of running) when
 * it exits non-zero or is killed, stops when it exits 0, and on SIGTERM stops it gracefully.
 */
export async function supervise(name: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const st = readState(name, env);
  if (st === null) throw new CdkError(`no connector deployment named '${name}'`);
  st.supervisorPid = process.pid;
  let stopping = false;
  let current: ReturnType<typeof spawn> | null = null;
  const onTerm = (): void => {
    stopping = true;
    current?.kill('SIGTERM');
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  let delay = 1000;
  for (;;) {
    const args = [st.bin, '--config', st.config];
    if (st.secrets !== null) args.push('--secrets', st.secrets);
    if (st.endpoint !== null) args.push('--endpoint', st.endpoint);
    const began = Date.now();
    current = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    st.connectorPid = current.pid ?? null;
    st.status = 'running';
    writeState(st, env);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => current!.once('exit', (c, s) => res([c, s])));
    st.connectorPid = null;
    st.lastExit = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
    if (stopping) { st.status = 'stopped'; writeState(st, env); return 0; }
    if (code === 0) { st.status = 'finished'; writeState(st, env); return 0; }
    if (Date.now() - began > 60_000) delay = 1000;
    st.status = 'restarting';
    st.restarts++;
    writeState(st, env);
    process.stdout.write(`${JSON.stringify({ event: 'cdk-restart', name, lastExit: st.lastExit, restarts: st.restarts, delayMs: delay })}\n`);
    await sleep(delay);
    if (stopping) { st.status = 'stopped'; writeState(st, env); return 0; }
    delay = Math.min(delay * 2, 30_000);
  }
}
