// Where the Hub keeps a user's things: $EDDY_HOME/hub (key, identity, download cache).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HubError } from './hub_error.ts';

export function hubHome(): string {
  const fromEnv = process.env.EDDY_HOME;
  const home = fromEnv && fromEnv.trim() !== '' ? path.resolve(fromEnv) : path.join(os.homedir(), '.eddy');
  return path.join(home, 'hub');
}

export const hubPaths = () => {
  const dir = hubHome();
  return {
    dir,
    key: path.join(dir, 'key.pem'),
    config: path.join(dir, 'config.json'),
    cache: path.join(dir, 'cache'),
    /** `eddy hub start`'s registry storage and token-service state. */
    local: path.join(dir, 'local'),
  };
};

/** What `eddy hub login` and `eddy hub start` recorded: the hub to use and who the user is there. */
export interface HubConfig {
  registry?: string;
  owner?: string;
}

export function readHubConfig(): HubConfig {
  const file = hubPaths().config;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    return JSON.parse(text) as HubConfig;
  } catch {
    throw new HubError(`${file} does not parse as JSON (delete it and run 'eddy hub login' again)`);
  }
}

export function writeHubConfig(update: HubConfig): HubConfig {
  const next = { ...readHubConfig(), ...update };
  const file = hubPaths().config;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(next, null, 2) + '\n');
  return next;
}

/** The registry to use: the flag, then $EDDY_HUB, then what `eddy hub start`/`login` recorded. */
export function resolveRegistry(flag?: string): string {
  const env = process.env.EDDY_HUB?.trim() || undefined; // set but empty is unset
  const url = flag ?? env ?? readHubConfig().registry;
  if (!url) throw new HubError("no hub registry: pass --hub URL, set EDDY_HUB, or start a local one with 'eddy hub start'");
  return url;
}
