import { readFileSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';

/**
 * An exclusive lock on a data directory: a file holding the owner's pid, created with O_EXCL.
 * A lock whose pid is no longer running (a crash, kill -9) is taken over; so is one whose pid is
 * a zombie (killed but not yet reaped by its parent: it holds no files and runs no code).
 */
export async function acquireDirLock(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return async () => { await unlink(path).catch(() => {}); };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
      throw new Error(`data directory is in use by process ${pid} (lock file ${path})`);
    }
    await unlink(path).catch(() => {});
  }
  throw new Error(`could not take the lock file ${path}`);
}

/** Whether `pid` is a live process: it exists (signal 0 reaches it) and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/**
 * Linux: the state letter in /proc/<pid>/stat, after the parenthesised command name (which may
 * itself hold spaces or parentheses, hence the last ')'). Elsewhere, or when unreadable, not a zombie.
 */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return false;
  }
  const close = stat.lastIndexOf(')');
  return close >= 0 && stat.charAt(close + 2) === 'Z';
}
