// The process's open-file limit. Node has no setrlimit: the soft limit is raised to the hard one
// with util-linux `prlimit --pid <own pid>` (present on Debian), and both are read from
// /proc/self/limits. Linux only; elsewhere the figures are unknown (null) and nothing changes.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface DescriptorLimit {
  soft: number;
  hard: number;
}

/** RLIMIT_NOFILE from /proc/self/limits (Infinity for "unlimited"), or null when unreadable. */
export function readDescriptorLimit(): DescriptorLimit | null {
  try {
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m === null) return null;
    const n = (v: string): number => (v === 'unlimited' ? Infinity : Number(v));
    return { soft: n(m[1]), hard: n(m[2]) };
  } catch {
    return null;
  }
}

/** Descriptors this process has open now (/proc/self/fd), or -1 when unknown. */
export function openDescriptorCount(): number {
  try {
    return readdirSync('/proc/self/fd').length - 1; // minus the one reading the folder
  } catch {
    return -1;
  }
}

/**
 * Raises the soft limit to the hard one. Returns the limit in force afterwards and, when the raise
 * was needed but failed, why (the caller logs it; the broker runs on with the lower limit).
 */
export function raiseDescriptorLimit(): { limit: DescriptorLimit | null; failure: string | null } {
  const before = readDescriptorLimit();
  if (before === null || before.soft >= before.hard) return { limit: before, failure: null };
  const hard = before.hard === Infinity ? 'unlimited' : String(before.hard);
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${hard}:${hard}`], { stdio: 'ignore', timeout: 5000 });
  } catch (err) {
    return { limit: before, failure: `prlimit: ${(err as Error).message.split('\n')[0]}` };
  }
  return { limit: readDescriptorLimit(), failure: null };
}
