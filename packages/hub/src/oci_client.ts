// A small client for the OCI distribution API (blobs, manifests, tags, catalog) with the
// registry token flow: on a 401 Bearer challenge it asks the challenge's realm for a token for
// the challenge's scope, then retries. Every failure is one HubError line.
import crypto from 'node:crypto';
import { HubError } from './hub_error.ts';

/** The Authorization header to send to a token realm (undefined: anonymous). */
export type Credentials = (realm: string) => string | undefined;

export interface OciClientOptions {
  credentials?: Credentials;
}

export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

interface Challenge {
  realm: string;
  service?: string;
  scope?: string;
  error?: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

export function sha256Digest(data: Uint8Array): string {
  return 'sha256:' + crypto.createHash('sha256').update(data).digest('hex');
}

export class OciClient {
  readonly url: string;
  readonly #credentials: Credentials | undefined;
  /** Tokens by scope, so a run asks the token service once per repository and action set. */
  readonly #tokens = new Map<string, string>();

  constructor(url: string, options: OciClientOptions = {}) {
    this.url = normalizeRegistryUrl(url);
    this.#credentials = options.credentials;
  }

  /** Checks the registry answers the OCI API (a 401 is an answer: it wants tokens). */
  async ping(): Promise<{ tokenRealm: string | null }> {
    const res = await this.#raw('GET', '/v2/', {});
    await res.body?.cancel();
    if (res.status === 401) return { tokenRealm: parseChallenge(res.headers.get('www-authenticate'))?.realm ?? null };
    if (!res.ok) throw new HubError(`${this.url} is not an OCI registry (GET /v2/ answered ${res.status})`);
    return { tokenRealm: null };
  }

  async blobExists(repo: string, digest: string, forPush = false): Promise<boolean> {
    const res = await this.#request('HEAD', `/v2/${repo}/blobs/${digest}`, { push: forPush });
    if (res.status === 404) return false;
    await this.#ok(res, `check blob ${digest} in ${repo}`);
    return true;
  }

  /** Uploads `data` (monolithic upload) unless the registry has it; returns its digest. */
  async pushBlob(repo: string, data: Uint8Array): Promise<string> {
    const digest = sha256Digest(data);
    if (await this.blobExists(repo, digest, true)) return digest;
    const start = await this.#request('POST', `/v2/${repo}/blobs/uploads/`, { push: true });
    await this.#ok(start, `start an upload to ${repo}`);
    const location = start.headers.get('location');
    if (!location) throw new HubError(`${this.url} started an upload without a Location`);
    const target = new URL(location, this.url);
    target.searchParams.set('digest', digest);
    const put = await this.#request('PUT', target.pathname + target.search, {
      push: true, body: data, headers: { 'content-type': 'application/octet-stream' },
    });
    await this.#ok(put, `upload a blob to ${repo}`);
    return digest;
  }

  async pushManifest(repo: string, tag: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const res = await this.#request('PUT', `/v2/${repo}/manifests/${tag}`, { push: true, body: bytes, headers: { 'content-type': mediaType } });
    await this.#ok(res, `push ${repo}:${tag}`);
    return sha256Digest(bytes);
  }

  /** The manifest for `reference` (tag or digest), its digest checked; null when there is none. */
  async getManifest(repo: string, reference: string, accept: readonly string[]): Promise<FetchedManifest | null> {
    const res = await this.#request('GET', `/v2/${repo}/manifests/${reference}`, { headers: { accept: accept.join(', ') } });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    await this.#ok(res, `fetch ${repo}:${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(bytes);
    const claimed = reference.startsWith('sha256:') ? reference : res.headers.get('docker-content-digest');
    if (claimed && claimed !== digest) throw new HubError(`${repo}:${reference}: the manifest's digest is ${digest}, not ${claimed} (digest mismatch)`);
    return { bytes, digest, mediaType: (res.headers.get('content-type') ?? '').split(';')[0].trim() };
  }

  /** A blob's bytes, checked against `digest`. */
  async getBlob(repo: string, digest: string, size?: number): Promise<Buffer> {
    const res = await this.#request('GET', `/v2/${repo}/blobs/${digest}`, {});
    if (res.status === 404) {
      await res.body?.cancel();
      throw new HubError(`${repo} has no blob ${digest}`);
    }
    await this.#ok(res, `fetch blob ${digest} from ${repo}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const actual = sha256Digest(bytes);
    if (actual !== digest || (size !== undefined && bytes.length !== size)) {
      throw new HubError(`${repo}: blob ${digest} arrived as ${actual}, ${bytes.length} bytes (digest mismatch)`);
    }
    return bytes;
  }

  /** The repository's tags; null when the repository does not exist or is not readable. */
  async listTags(repo: string): Promise<string[] | null> {
    const res = await this.#request('GET', `/v2/${repo}/tags/list`, {});
    if (res.status === 404 || res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      return null;
    }
    await this.#ok(res, `list the tags of ${repo}`);
    const doc = (await res.json()) as { tags?: string[] | null };
    return doc.tags ?? [];
  }

  async catalog(): Promise<string[]> {
    const repos: string[] = [];
    let path: string | null = '/v2/_catalog?n=1000';
    while (path !== null) {
      const res = await this.#request('GET', path, {});
      await this.#ok(res, 'list the repositories');
      const doc = (await res.json()) as { repositories?: string[] | null };
      repos.push(...(doc.repositories ?? []));
      const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
      path = next ? next[1] : null;
    }
    return repos;
  }

  async #ok(res: Response, what: string): Promise<void> {
    if (res.ok) return;
    let detail = '';
    try {
      const doc = (await res.json()) as { errors?: { code?: string; message?: string }[] };
      detail = (doc.errors ?? []).map((e) => e.message ?? e.code).join('; ');
    } catch { /* not JSON */ }
    if (res.status === 401 || res.status === 403) throw new HubError(`not allowed to ${what}${detail ? `: ${detail}` : ''}`);
    throw new HubError(`cannot ${what}: the registry answered ${res.status}${detail ? ` (${detail})` : ''}`);
  }

  async #request(method: string, path: string, o: { push?: boolean; body?: Uint8Array; headers?: Record<string, string> }): Promise<Response> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const scopeKey = repoOf(path);
    const cached = this.#tokens.get(scopeKey + (o.push ? ':push' : ''));
    if (cached) headers.authorization = `Bearer ${cached}`;
    let res = await this.#raw(method, path, { headers, body: o.body });
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    if (!challenge) return res;
    await res.body?.cancel();
    const token = await this.#token(challenge, scopeKey, o.push === true);
    res = await this.#raw(method, path, { headers: { ...headers, authorization: `Bearer ${token}` }, body: o.body });
    if (res.status === 401) {
      const again = parseChallenge(res.headers.get('www-authenticate'));
      const exp = tokenExpiry(token);
      if (again?.error === 'invalid_token' && exp !== null && exp * 1000 <= Date.now()) {
        await res.body?.cancel();
        throw new HubError(`the registry refused the token from ${challenge.realm}: it has expired (check the token service's clock and token lifetime)`);
      }
    }
    return res;
  }

  async #token(challenge: Challenge, scopeKey: string, push: boolean): Promise<string> {
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    // The challenge's scope names the actions this request needs; a push also needs pull.
    let scope = challenge.scope;
    if (scope && push && /^repository:/.test(scope) && !/push/.test(scope)) scope = scope.replace(/:[^:]*$/, ':pull,push');
    if (scope) url.searchParams.set('scope', scope);
    const auth = this.#credentials?.(challenge.realm);
    let res: Response;
    try {
      res = await fetch(url, { headers: auth ? { authorization: auth } : {} });
    } catch (err) {
      throw unreachable(err, `the hub's token service at ${url.origin}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let why = text.trim();
      try { why = (JSON.parse(text) as { error?: string }).error ?? why; } catch { /* plain text */ }
      throw new HubError(`the hub's token service refused: ${why || res.status}`);
    }
    let token: string | undefined;
    try {
      const doc = JSON.parse(text) as { token?: string; access_token?: string };
      token = doc.token ?? doc.access_token;
    } catch { /* below */ }
    if (!token) throw new HubError(`the hub's token service at ${url.origin} answered without a token`);
    this.#tokens.set(scopeKey + (push ? ':push' : ''), token);
    return token;
  }

  async #raw(method: string, path: string, o: { headers?: Record<string, string>; body?: Uint8Array }): Promise<Response> {
    try {
      return await fetch(new URL(path, this.url), { method, headers: o.headers, body: o.body, redirect: 'follow' });
    } catch (err) {
      throw unreachable(err, `the hub registry at ${this.url}`);
    }
  }
}

function unreachable(err: unknown, what: string): HubError {
  let code: string | undefined;
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') { code = c; break; }
  }
  if (code && UNREACHABLE.has(code)) return new HubError(`cannot reach ${what} (${code}; is it running? for a local hub: 'eddy hub start')`);
  // fetch's own message is only 'fetch failed'; the cause says why (a bad port, a TLS problem...).
  const cause = (err as { cause?: { message?: string } }).cause;
  return new HubError(`cannot reach ${what}: ${cause?.message ?? (err as Error).message}`);
}

/** http://host:port without a trailing slash; a bare host:port means http. */
export function normalizeRegistryUrl(url: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `http://${url}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new HubError(`'${url}' is not a registry address (expected host:port or http://host:port)`);
  }
  return u.origin;
}

function repoOf(path: string): string {
  const m = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(path);
  return m ? m[1] : path.startsWith('/v2/_catalog') ? '_catalog' : '';
}

function parseChallenge(header: string | null): Challenge | null {
  if (!header || !/^Bearer\s/i.test(header)) return null;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]] = m[2];
  if (!params.realm) return null;
  return { realm: params.realm, service: params.service, scope: params.scope, error: params.error };
}

function tokenExpiry(token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp?: number };
    return typeof payload.exp === 'number' ? payload.exp : null;
  } catch {
    return null;
  }
}
