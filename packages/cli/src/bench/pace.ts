// Drivers for load: a paced loop for fixed-rate runs (e2e) and a window of operations in flight
// for clients that answer each request with a promise (the peers' clients).

/**
 * Calls `send(i)` for i in [0, total) at `rate` calls per second. It wakes about once a
 * millisecond and sends the backlog due by then, so the rate holds even when timers run late;
 * a busy-wait would keep one of the machine's cores away from the broker under test.
 */
export async function paced(total: number, rate: number, send: (i: number) => void, signal?: AbortSignal): Promise<{ seconds: number }> {
  return pacedTicks(total, rate, (from, to) => { for (let i = from; i < to; i++) send(i); }, signal);
}

/** paced(), handing each wake-up's backlog over at once: `sendRange(from, to)` sends [from, to). */
export async function pacedTicks(total: number, rate: number, sendRange: (from: number, to: number) => void, signal?: AbortSignal): Promise<{ seconds: number }> {
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    if (signal?.aborted) break;
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    if (sent < due) {
      sendRange(sent, due);
      sent = due;
    }
    if (sent < total) await new Promise<void>((r) => setTimeout(r, 1));
  }
  return { seconds: (performance.now() - start) / 1000 };
}

/**
 * Runs `op(i)` for i in [0, total) with at most `window` operations pending: `window` workers
 * each await one operation at a time, so a pipelining client always has `window` requests out.
 */
export async function windowed(total: number, window: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, total) }, worker));
}
