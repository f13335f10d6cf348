import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EDDY_BIN = fileURLToPath(new URL('../bin/eddy.ts', import.meta.url));

export interface RunResult { code: number | null; stdout: string; stderr: string; stdoutBytes: Buffer }

export interface RunOptions {
  home: string;
  input?: string | Buffer;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs the real CLI as a user would (or `script`, another program), with EDDY_HOME pointing at a temp dir. */
export function eddy(args: string[], o: RunOptions, script: string[] = [EDDY_BIN]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...script, ...args], {
      env: { ...process.env, EDDY_HOME: o.home, HOME: o.home, ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(out);
      resolve({ code, stdout: bytes.toString(), stderr: Buffer.concat(err).toString(), stdoutBytes: bytes });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(o.input ?? '');
  });
}

/** Asserts the command failed with exactly one 'error: ...' line on stderr; returns that line. */
export function oneLineError(r: RunResult): string {
  if (r.code === 0) throw new Error(`expected a failure, got exit 0; stdout: ${r.stdout}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  if (lines.length !== 1 || !lines[0].startsWith('error: ')) {
    throw new Error(`expected one 'error: ' line on stderr, got: ${JSON.stringify(r.stderr)}`);
  }
  return lines[0];
}

export function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`command failed (exit ${r.code}): ${r.stderr}`);
  return r;
}

export function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-cli-test-'));
}

export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
}
