// Writes BENCHMARKS.md: the latest table and chart of `npm run bench:peers`, the machine, and how
// to reproduce. Text between the results markers is replaced on every full run; the rest of the
// file (notes, profiling findings) is kept.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { machineLine } from './machine.ts';
import type { Results } from './results.ts';
import { renderMarkdown } from './table.ts';

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
npm run bench:peers                # the full run (a few minutes); installs missing peers with apt-get
npm run bench:peers -- --scale 0.2 # smaller counts
npm run bench:peers -- --smoke     # seconds: checks that everything starts (figures meaningless)
\`\`\`

It starts, on loopback with ephemeral ports and temp dirs, the Eddy broker
(\`packages/broker/src/main.ts\`), \`redis-server\`, \`nats-server -js\` and \`mosquitto\` (Debian
packages; installed with \`apt-get install\` when missing, or reported as unavailable), runs each
system alone on the machine in turn, stops everything it started (also on Ctrl-C), and writes
\`bench/results/latest.json\`, \`bench/results/latest.svg\` and this file's table.

Single measurements of a running cluster: \`eddy bench producer|consumer|e2e|smartmodule --help\`.

## What is measured

- **produce**: records sent as fast as each client takes them; a run ends when the last record is
  acknowledged. Eddy: one producer (\`batch-size 256KiB, linger 5ms, 8 requests in flight\`).
  Redis: \`XADD\` in explicit pipelines of 1000, 4 outstanding per connection (node-redis), and the
  same server driven by \`redis-benchmark -P 1000\` (C) to show the server's own ceiling. NATS:
  \`js.publish\` with 1024 acks outstanding per connection. Mosquitto: QoS 1 publishes with 1024
  PUBACKs outstanding (no subscriber: an MQTT broker keeps no log).
- **consume (replay)**: the 100-byte records just produced, read from the first one. Redis
  \`XREAD COUNT 10000\`; NATS an ordered consumer.
- **e2e latency**: one producer paced at 10,000 records/s, one consumer tailing; latency from the
  send call to the consumer getting the record (same process, same clock), HDR histogram.
- **fsync**: 16 producers (16 connections), fsync before ack: Eddy topics with \`flush: fsync\`
  (group commit), Redis \`appendfsync always\`.
- **RSS**: the server process's VmRSS from /proc, idle after start and the peak sampled every
  100 ms during the 100-byte produce run.
- Ratios are Eddy/peer; for latency and memory lower is better, so a ratio below 1 favours Eddy.
  Targets are judged against Redis driven from Node (same client language as Eddy's client).
`;

export function updateBenchmarksMd(path: string, res: Results, svgRelPath: string): void {
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : TEMPLATE;
  if (!doc.includes(START) || !doc.includes(END)) doc = `${doc.trimEnd()}\n\n${START}\n${END}\n`;
  const systems = res.systems.map((s) => `- ${s.name}: ${s.unavailable ? `unavailable — ${s.unavailable}` : s.version}${s.loadAvg?.length ? ` (1-min load average when its turns began: ${s.loadAvg.join(', ')})` : ''}`).join('\n');
  const section = [
    START,
    `## Latest results (${res.when.slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `Machine: ${machineLine(res.machine)}.`,
    '',
    `Counts: ${res.sizes.produce100.toLocaleString('en-US')} × 100 B, ${res.sizes.produce5k.toLocaleString('en-US')} × 5 KiB, e2e ${res.sizes.e2eRecords.toLocaleString('en-US')} records at ${res.sizes.e2eRate.toLocaleString('en-US')}/s, fsync ${res.sizes.fsyncRecords.toLocaleString('en-US')} records from ${res.sizes.fsyncProducers} producers; each figure is the median of ${res.repeat} rounds over all systems. Command: \`${res.command}\`.`,
    '',
    renderMarkdown(res),
    `![Eddy against targets and peers](${svgRelPath})`,
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
