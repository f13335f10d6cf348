// Graph definitions and their modules from the Hub, for `eddy graph validate|apply|test`: a module
// referenced by registry name (`azure-samples/explore-iot-operations/temperature:1.0.0`, see
// docs/hub.md for how that names a package) is fetched as a graph-module package, verified, and
// cached by digest; a definition given as a reference is fetched as a graph package.
import fs from 'node:fs';
import path from 'node:path';
import {
  HubClient, HubError, formatPackageRef, hubRefOfModuleReference, readHubConfig, wasmFileOf,
  type ModuleReference, type PackageRef,
} from '@eddy/hub';
import { registryModuleRefOf } from '@eddy/dataflow';
import { CliError, fileProblem } from '../errors.ts';
import { moduleFromBytes, type LocalModule } from './graph_modules.ts';

export interface HubOptions {
  /** --registry URL */
  registry?: string;
  allowUnsigned?: boolean;
}

interface Registry {
  url: string;
  /** Given by the user (flag, $EDDY_HUB, or in the reference): a failure is an error, not a note. */
  explicit: boolean;
}

/** --registry, then $EDDY_HUB, then the hub `eddy hub start|login` recorded; null when none. */
function configuredRegistry(o: HubOptions): Registry | null {
  if (o.registry !== undefined) return { url: o.registry, explicit: true };
  const env = process.env.EDDY_HUB;
  if (env !== undefined && env.trim() !== '') return { url: env, explicit: true };
  let recorded: string | undefined;
  try {
    recorded = readHubConfig().registry;
  } catch {
    return null;
  }
  return recorded ? { url: recorded, explicit: false } : null;
}

/** The Hub package `text` names; with `lenient`, a malformed one is left alone (the cluster may know it). */
function hubRef(text: string, lenient = false): ModuleReference | null {
  try {
    return hubRefOfModuleReference(text);
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
    if (lenient) return null;
    throw new CliError(err.message);
  }
}

/** One client per registry, so tokens are asked for once. */
class Clients {
  readonly #byUrl = new Map<string, HubClient>();

  get(url: string): HubClient {
    let c = this.#byUrl.get(url);
    if (c === undefined) {
      try {
        c = new HubClient({ registry: url });
      } catch (err) {
        if (err instanceof HubError) throw new CliError(err.message);
        throw err;
      }
      this.#byUrl.set(url, c);
    }
    return c;
  }
}

export interface HubModules {
  found: Map<string, LocalModule>;
  /** One line each: what was fetched (or came from the cache). */
  fetched: string[];
  notes: string[];
}

/**
 * Fetches the modules `refTexts` (as written in the definition) names by Hub reference, except
 * those already in `have` (by `name:version`). Without a registry, references are left to the cluster.
 */
export async function fetchHubModules(refTexts: readonly string[], have: ReadonlyMap<string, LocalModule>, o: HubOptions): Promise<HubModules> {
  const out: HubModules = { found: new Map(), fetched: [], notes: [] };
  const configured = configuredRegistry(o);
  const clients = new Clients();
  const chosen = new Map<string, string>();
  for (const text of new Set(refTexts)) {
    const key = registryModuleRefOf(text);
    if (have.has(key)) continue;
    const hub = hubRef(text, configured === null);
    if (hub === null) continue;
    const pkgName = formatPackageRef(hub.ref);
    // The cluster knows a module by name:version only: two packages cannot both be it.
    const other = chosen.get(key);
    if (other !== undefined && other !== pkgName) throw new CliError(`module references ${other} and ${pkgName} are both ${key} on the cluster: give them different names or versions`);
    chosen.set(key, pkgName);
    if (out.found.has(key)) continue;
    const registry: Registry | null = hub.registry !== null ? { url: hub.registry, explicit: true } : configured;
    if (registry === null) continue;
    try {
      const client = clients.get(registry.url);
      const pkg = await client.fetch(hub.ref, { kind: 'graph-module', allowUnsigned: o.allowUnsigned });
      const wasmName = wasmFileOf(pkg, pkgName);
      const wasm = Buffer.from(pkg.files.find((f) => f.name === wasmName)!.data);
      out.found.set(key, await moduleFromBytes(key, hub.ref.name, hub.ref.version, path.join(pkg.dir, wasmName), wasm));
      out.fetched.push(`module ${key} ${pkg.cached ? 'from the cache' : 'fetched'}: ${pkgName} (${pkg.digest.slice(0, 19)}) from ${client.registry}`);
    } catch (err) {
      if (!(err instanceof HubError)) throw err;
      if (registry.explicit) throw new CliError(err.message);
      out.notes.push(`module ${text} not taken from the hub at ${registry.url}: ${err.message}`);
    }
  }
  return out;
}

export interface Definition {
  text: string;
  /** Names the definition in diagnostics: the file, or `<package>/<file>`. */
  file: string;
  /** The graph's default name: the file's name without extension, or the package's name. */
  name: string;
  /** Set when the definition came from the Hub. */
  fetched?: string;
}

/** The definition in `arg`: a file, or (when no such file exists) a graph package named by reference. */
export async function loadDefinition(arg: string, o: HubOptions): Promise<Definition> {
  const fromFile = () => ({ text: readFile(arg), file: arg, name: path.basename(arg).replace(/\.[^.]*$/, '') });
  if (fs.existsSync(arg)) return fromFile();
  const hub = hubRef(arg);
  if (hub === null) return fromFile();
  const url = hub.registry ?? configuredRegistry(o)?.url;
  if (url === undefined) throw new CliError(`cannot fetch graph ${arg}: no such file, and no hub registry (pass --registry URL or set EDDY_HUB)`);
  return fetchGraph(new Clients().get(url), hub.ref, o);
}

async function fetchGraph(client: HubClient, ref: PackageRef, o: HubOptions): Promise<Definition> {
  const pkgName = formatPackageRef(ref);
  try {
    const pkg = await client.fetch(ref, { kind: 'graph', allowUnsigned: o.allowUnsigned });
    const yaml = pkg.meta.manifest.filter((f) => /\.ya?ml$/.test(f));
    if (yaml.length !== 1) throw new HubError(`${pkgName} carries ${yaml.length} YAML files, expected one graph definition`);
    const text = Buffer.from(pkg.files.find((f) => f.name === yaml[0])!.data).toString('utf8');
    return {
      text, file: `${pkgName}/${yaml[0]}`, name: ref.name,
      fetched: `graph ${pkgName} ${pkg.cached ? 'from the cache' : 'fetched'} (${pkg.digest.slice(0, 19)}) from ${client.registry}`,
    };
  } catch (err) {
    if (err instanceof HubError) throw new CliError(err.message);
    throw err;
  }
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read graph definition '${file}': ${fileProblem(err)}`);
  }
}
