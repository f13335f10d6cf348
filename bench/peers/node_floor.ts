// A baseline for the idle-RSS figure, not a peer: a Node.js process that loads what an idle Eddy
// broker needs from Node and npm (a TCP listener, fs/promises, worker_threads, crypto, pino,
// the native CRC-32C) and none of Eddy's code. Eddy's idle RSS minus this is what Eddy's own
// code, metadata and buffers take; this is what a broker on this Node.js cannot go below.
import { fileURLToPath } from 'node:url';
import { startProcess } from '../support/processes.ts';
import { Unavailable, type Durability, type PeerServer, type PeerSystem } from '../support/peer.ts';

const SERVER = fileURLToPath(new URL('./node_floor_server.mjs', import.meta.url));

export const nodeFloor: PeerSystem = {
  name: 'Node.js floor (baseline)',
  short: 'Node floor',
  only: ['rssIdle'],
  async version() {
    return `Node ${process.version}: net listener, fs/promises, worker_threads, crypto, pino, @node-rs/crc32`;
  },
  async start(durability: Durability): Promise<PeerServer> {
    if (durability === 'fsync') throw new Unavailable('baseline for idle memory only');
    const { started } = await startProcess('node floor', process.execPath, [SERVER], { ready: /"event"\s*:\s*"listening"/ });
    const none = async (): Promise<never> => { throw new Unavailable('baseline for idle memory only'); };
    return {
      pid: started.pid,
      durability: 'idle process, no data',
      produce: none,
      consume: none,
      e2e: none,
      stop: () => started.stop(),
    };
  },
};
