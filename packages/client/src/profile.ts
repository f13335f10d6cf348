import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { DEFAULT_ENDPOINT, formatEndpoint, parseEndpoint } from './endpoint.ts';

// Profiles: named cluster connections in $EDDY_HOME/config.yaml (EDDY_HOME defaults to ~/.eddy):
//
//   current: local
//   profiles:
//     local: { endpoint: 127.0.0.1:9003 }   (DEFAULT_ENDPOINT)
//
// Other top-level keys in the file are kept as they are when profiles change.

export interface Profile {
  name: string;
  endpoint: string;
}

export interface ProfileListing extends Profile {
  current: boolean;
}

export interface ProfileConfig {
  current: string | null;
  profiles: Record<string, { endpoint: string }>;
  /** Top-level keys this module does not manage, written back unchanged. */
  [other: string]: unknown;
}

/** A bad profile name, an unknown profile, or a config file that does not parse. */
export class ProfileError extends EddyError {
  constructor(message: string) {
    super(ErrorCode.InvalidConfig, message);
    this.name = 'ProfileError';
  }
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** $EDDY_HOME, or ~/.eddy. */
export function eddyHome(env: NodeJS.ProcessEnv = process.env): string {
  const h = env.EDDY_HOME;
  return h !== undefined && h !== '' ? path.resolve(h) : path.join(os.homedir(), '.eddy');
}

export function configPath(home: string = eddyHome()): string {
  return path.join(home, 'config.yaml');
}

/** The config, or an empty one when the file does not exist. */
export function loadConfig(home: string = eddyHome()): ProfileConfig {
  const file = configPath(home);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { current: null, profiles: {} };
    throw new ProfileError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseConfig(text, file);
}

/** Parses and checks config text; `source` names the file in errors. */
export function parseConfig(text: string, source = 'config'): ProfileConfig {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new ProfileError(`${source} is not valid YAML: ${firstLine((err as Error).message)}`);
  }
  if (doc === null || doc === undefined) return { current: null, profiles: {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ProfileError(`${source} must hold a mapping with 'current' and 'profiles'`);
  const { current, profiles, ...rest } = doc as Record<string, unknown>;
  if (current !== undefined && current !== null && typeof current !== 'string') {
    throw new ProfileError(`${source}: 'current' must be a profile name`);
  }
  const out: ProfileConfig = { ...rest, current: (current as string | null | undefined) ?? null, profiles: {} };
  if (profiles !== undefined && profiles !== null) {
    if (typeof profiles !== 'object' || Array.isArray(profiles)) throw new ProfileError(`${source}: 'profiles' must be a mapping of name to { endpoint }`);
    for (const [name, p] of Object.entries(profiles as Record<string, unknown>)) {
      if (!NAME_RE.test(name)) throw new ProfileError(`${source}: invalid profile name '${name}'`);
      const endpoint = (p as { endpoint?: unknown } | null)?.endpoint;
      if (typeof endpoint !== 'string') throw new ProfileError(`${source}: profile '${name}' has no endpoint`);
      out.profiles[name] = { ...(p as object), endpoint };
    }
  }
  return out;
}

/** Writes the config atomically (temp file + rename). */
export function saveConfig(cfg: ProfileConfig, home: string = eddyHome()): void {
  fs.mkdirSync(home, { recursive: true });
  const file = configPath(home);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, YAML.stringify(cfg));
  fs.renameSync(tmp, file);
}

/**
 * Adds (or replaces) a profile. It becomes the current one when `makeCurrent` is set or when there
 * is no (valid) current profile; otherwise `switchProfile` selects it.
 */
export function addProfile(name: string, endpoint: string, opts: { makeCurrent?: boolean; home?: string } = {}): Profile {
  checkName(name);
  let canonical: string;
  try {
    canonical = formatEndpoint(parseEndpoint(endpoint));
  } catch (err) {
    throw new ProfileError((err as Error).message);
  }
  const home = opts.home ?? eddyHome();
  const cfg = loadConfig(home);
  cfg.profiles[name] = { ...cfg.profiles[name], endpoint: canonical };
  if (opts.makeCurrent) cfg.current = name;
  else if (cfg.current === null || !(cfg.current in cfg.profiles)) cfg.current = name;
  saveConfig(cfg, home);
  return { name, endpoint: canonical };
}

export function listProfiles(home: string = eddyHome()): ProfileListing[] {
  const cfg = loadConfig(home);
  return Object.entries(cfg.profiles)
    .map(([name, p]) => ({ name, endpoint: p.endpoint, current: name === cfg.current }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Makes `name` the current profile. */
export function switchProfile(name: string, home: string = eddyHome()): Profile {
  const cfg = loadConfig(home);
  const p = lookup(cfg, name);
  cfg.current = name;
  saveConfig(cfg, home);
  return { name, endpoint: p.endpoint };
}

/** Deletes a profile; deleting the current one leaves no current profile. */
export function deleteProfile(name: string, home: string = eddyHome()): void {
  const cfg = loadConfig(home);
  lookup(cfg, name);
  delete cfg.profiles[name];
  if (cfg.current === name) cfg.current = null;
  saveConfig(cfg, home);
}

/** The current profile, or null when none is set. */
export function currentProfile(home: string = eddyHome()): Profile | null {
  const cfg = loadConfig(home);
  if (cfg.current === null) return null;
  const p = cfg.profiles[cfg.current];
  if (p === undefined) throw new ProfileError(`current profile '${cfg.current}' is not defined in ${configPath(home)}`);
  return { name: cfg.current, endpoint: p.endpoint };
}

/**
 * The endpoint to connect to: `endpoint` if given, else the named profile's, else the current
 * profile's, else DEFAULT_ENDPOINT (a local cluster's default).
 */
export function resolveEndpoint(opts: { endpoint?: string; profile?: string; home?: string } = {}): string {
  if (opts.endpoint !== undefined) return opts.endpoint;
  const home = opts.home ?? eddyHome();
  if (opts.profile !== undefined) return lookup(loadConfig(home), opts.profile).endpoint;
  return currentProfile(home)?.endpoint ?? DEFAULT_ENDPOINT;
}

function lookup(cfg: ProfileConfig, name: string): { endpoint: string } {
  const p = Object.hasOwn(cfg.profiles, name) ? cfg.profiles[name] : undefined;
  if (p === undefined) {
    const known = Object.keys(cfg.profiles).sort();
    throw new ProfileError(`unknown profile '${name}' (${known.length ? `known: ${known.join(', ')}` : 'no profiles defined'})`);
  }
  return p;
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new ProfileError(`invalid profile name '${name}': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}
