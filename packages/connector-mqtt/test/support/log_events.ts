// A pino logger for in-process connectors that lets a test wait for a log event.
import { pino, type Logger } from 'pino';

export interface EventLog {
  readonly logger: Logger;
  /** Resolves once a line with `event` was logged (also when it already was). */
  waitFor(event: string, ms?: number): Promise<Record<string, unknown>>;
}

export function eventLog(): EventLog {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write(s: string) { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  return {
    logger,
    async waitFor(event, ms = 20_000) {
      const end = Date.now() + ms;
      for (;;) {
        const l = lines.find((x) => x.event === event);
        if (l !== undefined) return l;
        if (Date.now() > end) throw new Error(`no '${event}' log line within ${ms} ms (${lines.map((x) => x.msg).join('; ')})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
