// Where the AssemblyScript SmartModule SDK (@eddy/smartmodule-sdk) lives: generate copies its
// templates, build lets asc find it even in a project that has not run `npm install`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SmdkError } from './errors.ts';

export const SDK_PACKAGE = '@eddy/smartmodule-sdk';

export interface SdkLocation {
  /** The SDK package directory (real path). */
  dir: string;
  version: string;
  /** A `node_modules`-like directory holding `@eddy/smartmodule-sdk`, for asc's --path. */
  modulesDir: string | null;
  /** True when the SDK is the checkout's workspace package (not a published copy). */
  inRepo: boolean;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Finds the SDK: $SMDK_SDK_PATH, else `node_modules/@eddy/smartmodule-sdk` in or above smdk's own
 * directory, else the sibling workspace package `packages/smartmodule-sdk`. Null when absent.
 */
export function locateSdk(): SdkLocation | null {
  const fromEnv = process.env.SMDK_SDK_PATH;
  if (fromEnv && fromEnv.trim() !== '') {
    const dir = path.resolve(fromEnv);
    if (!isSdkDir(dir)) throw new SmdkError(`SMDK_SDK_PATH '${fromEnv}' is not the ${SDK_PACKAGE} package (no package.json named ${SDK_PACKAGE})`);
    return describe(dir, null);
  }
  let dir = HERE;
  while (true) {
    const modules = path.join(dir, 'node_modules');
    const candidate = path.join(modules, ...SDK_PACKAGE.split('/'));
    if (isSdkDir(candidate)) return describe(candidate, modules);
    const sibling = path.join(dir, 'packages', 'smartmodule-sdk');
    if (isSdkDir(sibling)) return describe(sibling, null);
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Like locateSdk, but a missing SDK is an error that says how to get one. */
export function requireSdk(): SdkLocation {
  const sdk = locateSdk();
  if (!sdk) throw new SmdkError(`cannot find the ${SDK_PACKAGE} package (install it next to smdk, or set SMDK_SDK_PATH to its directory)`);
  return sdk;
}

function isSdkDir(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === SDK_PACKAGE;
  } catch {
    return false;
  }
}

function describe(dir: string, modulesDir: string | null): SdkLocation {
  const real = fs.realpathSync(dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(real, 'package.json'), 'utf8')) as { version?: string };
  // A workspace package is a symlink into packages/; a published copy is a real directory.
  const inRepo = path.basename(path.dirname(real)) === 'packages' && fs.existsSync(path.join(path.dirname(path.dirname(real)), 'package.json'));
  return { dir: real, version: pkg.version ?? '0.0.0', modulesDir, inRepo };
}
