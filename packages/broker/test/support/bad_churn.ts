// Connection churn for memory tests: many short connections that send input the broker must
// reject (an HTTP request line read as a size prefix), each closed by whichever side goes first.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** What a confused client sends: "GET " read as a size prefix is ~1.2 GB, over any frame limit. */
export const BAD_INPUT = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');

function oneBadConnection(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.end(BAD_INPUT));
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => resolve());
    // A broker that never closes would stall the churn: give up on this one.
    s.setTimeout(5000, () => s.destroy());
  });
}

/** Opens `count` bad connections, at most `concurrency` at a time; resolves when all are closed. */
export async function churnBadConnections(port: number, count: number, concurrency: number): Promise<void> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++;
      await oneBadConnection(port);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
