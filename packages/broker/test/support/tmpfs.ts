// A small real filesystem that can be filled up: a tmpfs mounted for one test (needs root, as CI
// and the development machines run). Full-disk tests use it instead of faking ENOSPC in code.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Writes a filler file until the filesystem is full; returns the bytes written. */
  fill(): number;
  /** Removes the filler file: the space is back. */
  free(): void;
  close(): void;
}

export function mountTmpfs(sizeBytes: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`full-disk tests mount a tmpfs and need root: ${(err as Error).message.split('\n')[0]}`);
  }
  const filler = join(dir, '.filler');
  return {
    dir,
    fill(): number {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(4096, 0x66);
      let written = 0;
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free(): void {
      try { unlinkSync(filler); } catch { /* not filled */ }
    },
    close(): void {
      try { execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); } catch { /* already gone */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
