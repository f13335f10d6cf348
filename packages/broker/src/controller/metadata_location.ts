import { DEFAULT_ETCD_PREFIX } from './etcd_metadata_defaults.ts';

/** Where the controller keeps its metadata, as `--metadata` names it. */
export type MetadataLocation =
  | { kind: 'local' }
  | { kind: 'etcd'; endpoints: string[]; prefix: string };

const ENDPOINT_RE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * Parses 'local' or 'etcd://HOST:PORT[,HOST:PORT…][/PREFIX/]' (prefix default '/eddy/'); throws
 * a one-line message naming what is wrong.
 */
export function parseMetadataLocation(text: string): MetadataLocation {
  if (text === 'local') return { kind: 'local' };
  if (!text.startsWith('etcd://')) throw new Error(`metadata must be 'local' or 'etcd://HOST:PORT[,HOST:PORT...]', got '${text}'`);
  const rest = text.slice('etcd://'.length);
  const slash = rest.indexOf('/');
  const hosts = slash < 0 ? rest : rest.slice(0, slash);
  let prefix = slash < 0 ? DEFAULT_ETCD_PREFIX : rest.slice(slash);
  if (prefix === '/') prefix = DEFAULT_ETCD_PREFIX;
  if (!prefix.endsWith('/')) prefix += '/';
  const endpoints = hosts.split(',');
  for (const e of endpoints) {
    const m = ENDPOINT_RE.exec(e);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`metadata: '${e}' in '${text}' is not HOST:PORT`);
  }
  return { kind: 'etcd', endpoints, prefix };
}
