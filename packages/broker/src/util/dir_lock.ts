import { open, readFile, unlink } from 'node:fs/promises';

/**
 * An exclusive lock on a data directory: a file holding the owner's pid, created with O_EXCL.
 * A lock whose pid is no longer running (a crash, kill -9) is taken over.
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

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
