// How a publisher proves who they are to the token service without a password: HTTP Basic with
// the owner's name and `<unix seconds>.<Ed25519 signature of "eddy-hub:<owner>:<seconds>">`,
// signed with the key `eddy hub login` registered. A proof is good for a few minutes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { hubPaths, readHubConfig } from './hub_home.ts';
import { readSigningKey, type SigningKey } from './signing_key.ts';
import type { Credentials } from './oci_client.ts';

export const PROOF_WINDOW_SECONDS = 300;

function message(owner: string, seconds: number): Buffer {
  return Buffer.from(`eddy-hub:${owner}:${seconds}`);
}

export function ownerAuthorization(owner: string, key: SigningKey, now = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  const sig = crypto.sign(null, message(owner, seconds), key.privateKey).toString('hex');
  return 'Basic ' + Buffer.from(`${owner}:${seconds}.${sig}`).toString('base64');
}

/** The owner a Basic header proves, checked with `publicKeyOf`; null when absent, throws on a bad proof. */
export function checkOwnerAuthorization(header: string | undefined, publicKeyOf: (owner: string) => crypto.KeyObject | undefined, now = Date.now()): string | null {
  if (!header) return null;
  const m = /^Basic\s+(.+)$/i.exec(header);
  if (!m) throw new Error('expected Basic credentials');
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  const owner = text.slice(0, colon);
  const [secondsText, sig] = text.slice(colon + 1).split('.');
  const key = publicKeyOf(owner);
  if (colon <= 0 || !key) throw new Error(`unknown owner '${owner}' (run 'eddy hub login')`);
  const seconds = Number(secondsText);
  if (!Number.isInteger(seconds) || Math.abs(now / 1000 - seconds) > PROOF_WINDOW_SECONDS) throw new Error('the login proof has expired (check the clock)');
  let ok = false;
  try {
    ok = crypto.verify(null, message(owner, seconds), key, Buffer.from(sig ?? '', 'hex'));
  } catch { /* false */ }
  if (!ok) throw new Error(`the login proof for '${owner}' does not match its registered key`);
  return owner;
}

/** Credentials from $EDDY_HOME/hub (owner + key), or anonymous when the user has not logged in. */
export function savedCredentials(): Credentials | undefined {
  const owner = readHubConfig().owner;
  const keyFile = hubPaths().key;
  if (!owner || !fs.existsSync(keyFile)) return undefined;
  const key = readSigningKey(keyFile);
  return () => ownerAuthorization(owner, key);
}
