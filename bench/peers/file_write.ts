// A baseline, not a peer: the same record bytes appended to a fresh file in the run's data dir,
// copied into 1 MiB buffers (the size of Eddy's producer batches) and written, with no network, framing or broker. It
// is the most any system here can reach for "ack after write to OS", and it moves with the
// machine: on a VM whose memory the host backs lazily, page-cache writes into pages the guest has
// never touched run at a fraction of the speed of writes into pages it has freed before, so the
// produce figures of every system swing with it. Measured in the same rounds as the others.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { throughput } from '@eddy/cli/internal';
import { Unavailable, type Durability, type PeerServer, type PeerSystem, type ProduceSpec, type RunContext } from '../support/peer.ts';

const WRITE_BYTES = 1024 * 1024;

export const fileWrite: PeerSystem = {
  name: 'File write (baseline)',
  short: 'File',
  only: ['produce100', 'produce5k'],
  async version() {
    return `write(2) to a file, ${WRITE_BYTES / 1024} KiB per call, Node ${process.version}`;
  },
  async start(durability: Durability, ctx: RunContext): Promise<PeerServer> {
    if (durability === 'fsync') throw new Unavailable('baseline for page-cache writes only');
    return {
      pid: process.pid,
      durability: 'write to OS (page cache), no broker',
      async produce(spec: ProduceSpec) {
        const fd = openSync(join(ctx.dataDir, `${spec.stream}.log`), 'wx');
        try {
          const start = performance.now();
          // Records copied into a 1 MiB buffer, as a producer builds a batch, then one write.
          const staging = Buffer.allocUnsafe(WRITE_BYTES);
          let used = 0;
          let v = 0;
          for (let i = 0; i < spec.records; i++) {
            const value = spec.values[v];
            if (++v === spec.values.length) v = 0;
            if (used + value.length > WRITE_BYTES) { writeAll(fd, staging.subarray(0, used)); used = 0; }
            used += value.copy(staging, used);
          }
          if (used > 0) writeAll(fd, staging.subarray(0, used));
          return throughput(spec.records, spec.records * spec.recordSize, (performance.now() - start) / 1000);
        } finally {
          closeSync(fd);
        }
      },
      async consume() {
        throw new Unavailable('baseline for writes only');
      },
      async e2e() {
        throw new Unavailable('baseline for writes only');
      },
      async stop() {},
    };
  },
};

/** Writes until every byte of `buf` is in the file (short writes are legal). */
function writeAll(fd: number, buf: Buffer): void {
  for (let done = 0; done < buf.length;) done += writeSync(fd, buf, done, buf.length - done);
}
