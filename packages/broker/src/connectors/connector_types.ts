import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EddyError, ErrorCode } from '@eddy/protocol';

/**
 * Known connector types (a config's `meta.type`) and the package whose bin of that name runs it.
 * Resolved at run time so the broker does not depend on connector packages: a type whose package
 * is not installed is refused at create time like an unknown one.
 */
export const CONNECTOR_PACKAGES: Readonly<Record<string, string>> = {
  'file-source': '@eddy/connector-file',
  'file-sink': '@eddy/connector-file',
  'http-source': '@eddy/connector-http',
  'http-sink': '@eddy/connector-http',
  'sql-sink': '@eddy/connector-sql',
  'mqtt-source': '@eddy/connector-mqtt',
  'mqtt-sink': '@eddy/connector-mqtt',
};

const resolved = new Map<string, string>();

/** The absolute path of the script that runs connectors of `type`; a one-line EddyError if none. */
export function connectorBin(type: string): string {
  const hit = resolved.get(type);
  if (hit !== undefined) return hit;
  const pkg = Object.hasOwn(CONNECTOR_PACKAGES, type) ? CONNECTOR_PACKAGES[type] : undefined;
  if (pkg === undefined) {
    throw new EddyError(ErrorCode.InvalidConfig, `unknown connector type '${type}' (known: ${Object.keys(CONNECTOR_PACKAGES).join(', ')})`);
  }
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve(pkg));
  } catch {
    throw new EddyError(ErrorCode.InvalidConfig, `connector type '${type}' needs package ${pkg}, which is not installed where the broker runs`);
  }
  // The package's own package.json names the bin; walk up from its entry point to find it.
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const manifest = readManifest(dir);
    if (manifest?.name === pkg) {
      const bin = manifest.bin?.[type];
      if (bin === undefined) throw new EddyError(ErrorCode.InvalidConfig, `package ${pkg} has no '${type}' bin`);
      const path = join(dir, bin);
      resolved.set(type, path);
      return path;
    }
    if (dirname(dir) === dir) throw new EddyError(ErrorCode.InvalidConfig, `cannot find package.json of ${pkg}`);
  }
}

interface Manifest { name?: string; bin?: Record<string, string> }

function readManifest(dir: string): Manifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}
