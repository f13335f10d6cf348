import { ParseError } from './parse/parse_error.ts';

export interface Endpoint { host: string; port: number }

/** 'host:port' or '[v6]:port'; a bare host gets the default port. */
export function parseEndpoint(text: string, defaultPort?: number): Endpoint {
  const t = text.trim();
  const m = /^(?:\[([^\]]+)\]|([^:\s\[\]]+))(?::(\d+))?$/.exec(t);
  if (!m) throw new ParseError(`invalid endpoint '${text}' (expected host:port, e.g. 127.0.0.1:9003)`);
  const host = m[1] ?? m[2];
  if (m[3] === undefined && defaultPort === undefined) {
    throw new ParseError(`endpoint '${text}' needs a port (expected host:port, e.g. 127.0.0.1:9003)`);
  }
  const port = m[3] === undefined ? defaultPort! : Number(m[3]);
  if (!(port >= 1 && port <= 65535)) throw new ParseError(`invalid port in endpoint '${text}' (1-65535)`);
  return { host, port };
}

export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
