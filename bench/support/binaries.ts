// Finding (and, if allowed, installing from Debian) the peer servers' binaries.
import { execFileSync, spawnSync } from 'node:child_process';
import { Unavailable } from './peer.ts';

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/usr/local/bin'])) {
    const p = `${dir}/${cmd}`;
    try {
      execFileSync('test', ['-x', p]);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const attempted = new Set<string>();

/** The path of `cmd`; installs Debian package `pkg` when missing and `install` is set. */
export function requireBinary(cmd: string, pkg: string, install: boolean, log: (l: string) => void): string {
  const found = which(cmd);
  if (found) return found;
  if (!install) throw new Unavailable(`${cmd} not installed (apt-get install ${pkg}; not attempted in this mode)`);
  installPackage(cmd, pkg, log);
  const after = which(cmd);
  if (!after) throw new Unavailable(`${cmd} still missing after apt-get install ${pkg}`);
  return after;
}

/** Ensures `present()` by installing Debian package `pkg` when `install` is set (`what` names it). */
export function requirePackage(present: () => boolean, what: string, pkg: string, install: boolean, log: (l: string) => void): void {
  if (present()) return;
  if (!install) throw new Unavailable(`${what} not installed (apt-get install ${pkg}; not attempted in this mode)`);
  installPackage(what, pkg, log);
  if (!present()) throw new Unavailable(`${what} still missing after apt-get install ${pkg}`);
}

/** apt-get install, once per package per run; throws Unavailable when it cannot. */
function installPackage(what: string, pkg: string, log: (l: string) => void): void {
  if (attempted.has(pkg)) return;
  attempted.add(pkg);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Unavailable(`${what} not installed and not root to apt-get install ${pkg}`);
  }
  log(`installing ${pkg} (apt-get install -y ${pkg}) ...`);
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status !== 0) {
    const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').pop();
    throw new Unavailable(`${what} not installed and apt-get install ${pkg} failed: ${why}`);
  }
}

/** First line of `cmd --version`-like output, or 'unknown'. */
export function versionOf(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  return ((r.stdout || r.stderr || '').trim().split('\n')[0] || 'unknown').trim();
}
