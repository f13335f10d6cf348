// The user's side of the token service: register a key (login) and set a package's visibility.
// The token service is found through the registry's own challenge (its realm).
import { HubError } from './hub_error.ts';
import type { OciClient, Credentials } from './oci_client.ts';
import type { SigningKey } from './signing_key.ts';

async function tokenServiceOf(oci: OciClient): Promise<string | null> {
  const { tokenRealm } = await oci.ping();
  return tokenRealm === null ? null : new URL(tokenRealm).origin;
}

async function call(url: string, init: RequestInit): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new HubError(`cannot reach the hub's token service at ${new URL(url).origin}: ${(err as Error).message}`);
  }
  if (res.ok) {
    await res.body?.cancel();
    return;
  }
  let why = '';
  try { why = ((await res.json()) as { error?: string }).error ?? ''; } catch { /* none */ }
  throw new HubError(`the hub's token service refused: ${why || res.status}`);
}

/** Registers `owner` with `key`; false when the registry has no token service (an open hub). */
export async function registerOwner(oci: OciClient, owner: string, key: SigningKey): Promise<boolean> {
  const base = await tokenServiceOf(oci);
  if (base === null) return false;
  await call(`${base}/v1/owners`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ owner, pubkey: key.publicHex }) });
  return true;
}

/** Sets who may read group/name; false when the registry has no token service (all is public). */
export async function setVisibility(oci: OciClient, credentials: Credentials | undefined, group: string, name: string, visibility: 'public' | 'private'): Promise<boolean> {
  const base = await tokenServiceOf(oci);
  if (base === null) return false;
  const auth = credentials?.(base);
  if (!auth) throw new HubError("log in first ('eddy hub login')");
  await call(`${base}/v1/packages/${group}/${name}/visibility`, {
    method: 'PUT', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ visibility }),
  });
  return true;
}
