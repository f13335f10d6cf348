// Levels one effect of virtual machines out of the produce figures. A VM's host backs guest memory
// lazily: the first write to a guest page the VM has never used costs a trip to the host, so
// page-cache writes into never-used memory run at 0.4-0.9 GB/s here while writes into memory the
// guest has used and freed run at 4 GB/s (dd to a new file, kept vs deleted). Which one a run gets
// depends on what ran before it, so every system's produce figure swung 2-3x with the order of the
// run. Before each produce measurement, for every system alike, this writes a scratch file of at
// least the run's volume and deletes it: the kernel hands recently freed pages out first, so the
// measured run writes into memory the guest has already touched, as on bare metal or a VM that has
// been up for a while.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const CHUNK = Buffer.alloc(4 * 1024 * 1024, 0x61);

/** Writes `bytes` (rounded up to 4 MiB) into a scratch file under `dir`, then deletes it. */
export function warmPageAllocator(dir: string, bytes: number): void {
  const file = join(dir, `page-warmup-${process.pid}.tmp`);
  const fd = openSync(file, 'w');
  try {
    for (let done = 0; done < bytes;) done += writeSync(fd, CHUNK);
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}
