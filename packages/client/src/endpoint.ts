import { DEFAULT_PORT, EddyError, ErrorCode } from '@eddy/protocol';

/** Port a bare host (no ':port') connects to (protocol's), and the local cluster's default endpoint. */
export { DEFAULT_PORT };
export const DEFAULT_ENDPOINT = `127.0.0.1:${DEFAULT_PORT}`;

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * Parses 'host:port', 'host' (DEFAULT_PORT), '[v6addr]:port' or a bare IPv6 address.
 * Throws a one-line InvalidConfig EddyError naming what was wrong.
 */
export function parseEndpoint(text: string): Endpoint {
  const s = text.trim();
  const bad = (why: string) => new EddyError(ErrorCode.InvalidConfig, `invalid endpoint '${text}': ${why}`);
  if (s === '') throw bad('empty');
  let host: string;
  let portText: string | null = null;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw bad("missing ']' after the IPv6 address");
    host = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw bad(`unexpected '${rest}' after ']'`);
      portText = rest.slice(1);
    }
  } else {
    const colons = s.split(':').length - 1;
    if (colons > 1) {
      host = s; // bare IPv6 address without a port
    } else if (colons === 1) {
      const i = s.indexOf(':');
      host = s.slice(0, i);
      portText = s.slice(i + 1);
    } else {
      host = s;
    }
  }
  if (host === '') throw bad('missing host');
  if (/[\s/]/.test(host)) throw bad(`host '${host}' contains whitespace or '/'`);
  let port = DEFAULT_PORT;
  if (portText !== null) {
    if (!/^\d{1,5}$/.test(portText)) throw bad(`port '${portText}' is not a number`);
    port = Number(portText);
    if (port < 1 || port > 65535) throw bad(`port ${port} is outside 1-65535`);
  }
  return { host, port };
}

/** The canonical 'host:port' text ('[v6]:port' for IPv6). */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
