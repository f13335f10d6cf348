// The Node.js floor of the broker's idle RSS (see node_floor.ts): what an idle broker process
// loads before any of Eddy's own code runs. Plain JavaScript, as the broker runs compiled JS
// (a .ts file would load Node's type stripper, ~35 MB). Prints {"event":"listening",...} when up.
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import 'node:fs/promises';
import 'node:worker_threads';
import 'node:crypto';

// Resolved from the broker package, as the broker resolves its own dependencies.
const require = createRequire(new URL('../../packages/broker/package.json', import.meta.url));
const { pino } = require('pino');
require('@node-rs/crc32');
const log = pino({ level: 'info' }, pino.destination({ dest: 1, sync: true }));
const server = createServer((socket) => socket.end()).listen(0, '127.0.0.1', () => {
  log.info({ event: 'listening', port: server.address().port }, 'listening');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
