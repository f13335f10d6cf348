import { join } from 'node:path';

/** Where the broker keeps one connector's files: config, secrets (0600) and captured log. */
export interface ConnectorFiles {
  dir: string;
  config: string;
  secrets: string;
  log: string;
  /** The previous log, once the current one reached its cap. */
  oldLog: string;
}

export function connectorsRoot(dataDir: string): string {
  return join(dataDir, 'connectors');
}

export function connectorFiles(dataDir: string, name: string): ConnectorFiles {
  const dir = join(connectorsRoot(dataDir), name);
  return { dir, config: join(dir, 'config.yaml'), secrets: join(dir, 'secrets.env'), log: join(dir, 'connector.log'), oldLog: join(dir, 'connector.log.1') };
}
