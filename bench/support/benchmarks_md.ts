// Writes BENCHMARKS.md: the latest table and chart of `npm run bench:peers`, the machine, and how
// to reproduce. Text between the results markers is replaced on every full run; the rest of the
// file (notes, profiling findings) is kept.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { machineLine } from './machine.ts';
import type { Results } from './results.ts';
import { renderMarkdown, renderRunsMarkdown } from './table.ts';

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

const TEMPLATE = `# Benchmarks

Eddy side by side with what a user would pick instead — Redis Streams, NATS JetStream and
Mosquitto — on one machine, over loopback, with the same workloads (same record sizes and
counts) and the durability class of every figure stated next to it.

${START}
${END}

## How to reproduce

\`\`\`sh
npm ci
npm run bench:peers                 # the full run (about 5 minutes); apt-get installs missing peers
npm run bench:peers -- --scale 0.2  # smaller counts (or --records N for the 100-byte runs)
npm run bench:peers -- --repeat 5   # more rounds (default 3; the median is reported)
npm run bench:peers -- --peers redis,nats   # a subset of peers (redis, redis-c, nats, mosquitto, file, floor, pg)
npm run bench:peers -- --smoke      # seconds: checks that everything starts (figures meaningless)
\`\`\`

It starts, on loopback with ephemeral ports and temp dirs, the Eddy broker
(\`packages/broker/src/main.ts\`), \`redis-server\`, \`nats-server -js\` and \`mosquitto\` (Debian
packages; installed with \`apt-get install\` when missing, otherwise reported as unavailable). One
server runs at a time (two servers under load would share the 2 cores), in rounds over all
systems so that load from elsewhere on the machine falls on every system alike; each figure is
the median of its rounds. Everything started is stopped (also on Ctrl-C and on errors). Output:
\`bench/results/latest.json\` (every run, the machine, the load average at each turn),
\`bench/results/latest.svg\` and the table above.

One cluster, one figure at a time: \`eddy bench producer|consumer|e2e|smartmodule --help\`
(\`npm run bench -- producer --num-records 1000000\`), with \`-O json\` for machines.

## What is measured

- **produce**: records sent as fast as each client takes them; a run ends when the last record is
  acknowledged. Eddy: one producer, 1 MiB batches, linger 5 ms, 16 requests in flight, the
  client's own backpressure at 16 MiB unacknowledged. Redis: \`XADD\` in explicit pipelines of
  1000 commands, 4 pipelines outstanding per connection (node-redis); **Redis-C** is the same
  server driven by \`redis-benchmark -P 1000\` (C), the server's own ceiling. NATS: \`js.publish\`
  with 1024 acks outstanding per connection. Mosquitto: QoS 1 publishes with 1024 PUBACKs
  outstanding (nobody subscribed: an MQTT broker keeps no log, so this measures acceptance).
- **consume (replay)**: the 100-byte records just produced, from the first one. Eddy: 4 MiB
  responses, 16 MiB flow-control window; Redis \`XREAD COUNT 10000\`; NATS an ordered consumer.
- **e2e latency**: one producer paced at 10,000 records/s (Eddy: linger 0), one consumer tailing;
  latency from the send call to the consumer getting the record (same process, same clock; an
  HDR histogram, p99 shown).
- **SmartModule**: the same replay through \`examples/smartmodules/filter\` (keeps values that
  contain "a", Fluvio's filter example; about 94% of these values pass), records/s of the topic
  scanned through the filter as a percentage of the plain replay, both timed after an untimed
  warm-up of 100,000 records through each path (the first SmartModule stream of a broker
  starts its sandbox worker and compiles the module).
- **fsync**: 16 producers on 16 connections, fsync before ack: Eddy topics with \`flush: fsync\`
  (fdatasync, group commit), Redis \`appendfsync always\` (one fsync per event-loop turn).
- **MQTT ingest**: ~100-byte JSON readings published at QoS 1 over 64 topics, 1024 PUBACKs
  outstanding. Eddy: from the first publish until mqtt-source (subscribed QoS 1 to a Mosquitto
  started for it, in the benchmark's process) has every message acknowledged in an Eddy topic, and
  so PUBACKed upstream. Mosquitto: the same publisher to an mqtt.js QoS 1 subscriber.
- **sql-sink**: rows produced into a topic before the clock starts, then from starting sql-sink
  until the last row is committed in PostgreSQL (Debian's server in a temp dir, fsync off).
  **pg** (a baseline, not a peer): a plain node-postgres client inserting the same rows, one
  multi-row INSERT per batch of the sink's own average batch size, into a fresh server.
- **File** (a baseline, not a peer): the same record bytes copied into 1 MiB buffers and written
  to a file with write(2), no network, no broker: the ceiling for "ack after write to OS".
- **Node floor** (a baseline, not a peer): a Node.js process that loads what an idle broker needs
  from Node and npm (a TCP listener, fs/promises, worker_threads, crypto, pino, the native
  CRC-32C) and none of Eddy's code, for the idle-RSS row: what a broker on this Node.js cannot go
  below.
- **Page warm-up**: before every produce run of every system, untimed, a scratch file of twice
  the run's volume is written and deleted. On this VM, page-cache writes into memory the guest
  has never used run at 0.4-0.9 GB/s (the host backs guest memory lazily) and into memory it
  has freed before at ~4 GB/s (\`dd\` to a kept vs a deleted file); without the warm-up every
  system's produce figure swung 2-3x with what ran before it (Eddy 5 KiB: 340 vs 960 MB/s).
- **RSS**: the server process's VmRSS from /proc, idle one second after start, and the peak
  sampled every 100 ms during the 100-byte produce run.
- Ratios are Eddy/peer; for latency and memory lower is better, so there a ratio below 1 favours
  Eddy. Targets are judged against Redis driven from Node (the same client language as Eddy's
  client); Redis-C shows how far a C client gets with the same server.
- The machine is shared with other work: the load average at each turn is in the results, and
  figures from a loaded round are lower (Eddy's client and broker each want a whole core, so
  Eddy is hit hardest by contention).
`;

export function updateBenchmarksMd(path: string, res: Results, svgRelPath: string): void {
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : TEMPLATE;
  if (!doc.includes(START) || !doc.includes(END)) doc = `${doc.trimEnd()}\n\n${START}\n${END}\n`;
  const systems = res.systems.map((s) => `- ${s.name}: ${s.unavailable ? `unavailable — ${s.unavailable}` : s.version}`).join('\n');
  const section = [
    START,
    `## Latest results (${res.when.slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `Machine: ${machineLine(res.machine)}.`,
    '',
    `Counts: ${res.sizes.produce100.toLocaleString('en-US')} × 100 B, ${res.sizes.produce5k.toLocaleString('en-US')} × 5 KiB, e2e ${res.sizes.e2eRecords.toLocaleString('en-US')} records at ${res.sizes.e2eRate.toLocaleString('en-US')}/s, fsync ${res.sizes.fsyncRecords.toLocaleString('en-US')} records from ${res.sizes.fsyncProducers} producers, MQTT ingest ${res.sizes.mqttMessages.toLocaleString('en-US')} messages, sql-sink ${res.sizes.sqlRows.toLocaleString('en-US')} rows; each figure is the median of ${res.repeat} rounds over all systems. Command: \`${res.command}\`.`,
    '',
    renderMarkdown(res),
    `![Eddy against targets and peers](${svgRelPath})`,
    '',
    `<details><summary>Every round (the table shows the median)</summary>`,
    '',
    renderRunsMarkdown(res),
    '</details>',
    '',
    'Systems:',
    '',
    systems,
    END,
  ].join('\n');
  const before = doc.slice(0, doc.indexOf(START));
  const after = doc.slice(doc.indexOf(END) + END.length);
  writeFileSync(path, before + section + after);
}
