// Eddy's token service: the registry's standard token authentication delegates here. It knows
// owners (name + Ed25519 public key, registered by `eddy hub login`), groups (the owners who may
// push to <group>/*; the first owner to publish to a group owns it) and each package's visibility
// (public: anyone pulls; private: only the group's owners). State is a JSON file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { checkOwnerAuthorization } from './owner_proof.ts';
import { partProblem } from './package_ref.ts';
import { publicKeyFromHex } from './signing_key.ts';
import { signJwt, type TokenKey } from './token_key.ts';

export interface TokenServiceState {
  owners: Record<string, string>;
  groups: Record<string, string[]>;
  visibility: Record<string, 'public' | 'private'>;
}

export interface TokenServiceOptions {
  key: TokenKey;
  stateFile: string;
  service: string;
  issuer: string;
  /** Token lifetime; default 300 s. */
  ttlSeconds?: number;
  port?: number;
}

export interface RunningTokenService {
  url: string;
  realm: string;
  stop(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

export async function startTokenService(o: TokenServiceOptions): Promise<RunningTokenService> {
  const state = loadState(o.stateFile);
  const save = () => {
    fs.mkdirSync(path.dirname(o.stateFile), { recursive: true });
    fs.writeFileSync(o.stateFile + '.tmp', JSON.stringify(state, null, 2));
    fs.renameSync(o.stateFile + '.tmp', o.stateFile);
  };
  const keyOf = (owner: string) => {
    const hex = Object.hasOwn(state.owners, owner) ? state.owners[owner] : undefined;
    return hex ? publicKeyFromHex(hex) : undefined;
  };
  const ownsGroup = (owner: string | null, group: string) => owner !== null && (state.groups[group] ?? []).includes(owner);

  const grant = (owner: string | null, scope: string): Access | null => {
    const m = /^(repository|registry):(.+):([^:]*)$/.exec(scope);
    if (!m) return null;
    const [, type, name, actionText] = m;
    const wanted = actionText.split(',').filter((a) => a !== '');
    if (type === 'registry') return name === 'catalog' ? { type, name, actions: wanted.filter((a) => a === '*') } : null;
    const [group, pkg] = name.split('/');
    if (pkg === undefined || name.split('/').length !== 2) return { type, name, actions: [] };
    // The first owner to publish to a group owns it (claimed before pull is judged: a push asks for both).
    if (wanted.includes('push') && owner !== null && !state.groups[group] && partProblem(group, 'group') === null) {
      state.groups[group] = [owner];
      save();
    }
    const actions: string[] = [];
    for (const a of wanted) {
      if (a === 'pull' && (state.visibility[name] === 'public' || ownsGroup(owner, group))) actions.push(a);
      if (a === 'push' && ownsGroup(owner, group)) actions.push(a);
    }
    return { type, name, actions };
  };

  const reply = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let owner: string | null;
    try {
      owner = checkOwnerAuthorization(req.headers.authorization, keyOf);
    } catch (err) {
      reply(res, 401, { error: (err as Error).message });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/token') {
      const access = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).map((s) => grant(owner, s)).filter((a): a is Access => a !== null);
      const now = Math.floor(Date.now() / 1000);
      const ttl = o.ttlSeconds ?? 300;
      const token = signJwt(o.key, {
        iss: o.issuer, sub: owner ?? '', aud: url.searchParams.get('service') ?? o.service,
        exp: now + ttl, nbf: now - 10, iat: now, jti: crypto.randomUUID(), access,
      });
      reply(res, 200, { token, access_token: token, expires_in: ttl, issued_at: new Date(now * 1000).toISOString() });
      return;
    }
    readJson(req).then((body) => {
      if (req.method === 'POST' && url.pathname === '/v1/owners') {
        const name = String(body.owner ?? '');
        const problem = partProblem(name, 'owner name');
        if (problem) return reply(res, 400, { error: problem });
        let key: string;
        try {
          key = publicKeyFromHex(String(body.pubkey ?? '')) && String(body.pubkey).toLowerCase();
        } catch {
          return reply(res, 400, { error: 'pubkey must be an Ed25519 public key in hex' });
        }
        if (Object.hasOwn(state.owners, name) && state.owners[name] !== key) return reply(res, 409, { error: `owner '${name}' is taken by another key` });
        state.owners[name] = key;
        save();
        return reply(res, 200, { owner: name });
      }
      const vis = /^\/v1\/packages\/([^/]+)\/([^/]+)\/visibility$/.exec(url.pathname);
      if (req.method === 'PUT' && vis) {
        const [group, pkg] = [vis[1], vis[2]];
        if (owner === null) return reply(res, 401, { error: "log in first ('eddy hub login')" });
        if (!ownsGroup(owner, group)) return reply(res, 403, { error: `'${owner}' is not an owner of group '${group}'` });
        if (body.visibility !== 'public' && body.visibility !== 'private') return reply(res, 400, { error: 'visibility must be public or private' });
        state.visibility[`${group}/${pkg}`] = body.visibility;
        save();
        return reply(res, 200, { package: `${group}/${pkg}`, visibility: body.visibility });
      }
      const grp = /^\/v1\/groups\/([^/]+)\/owners$/.exec(url.pathname);
      if (req.method === 'POST' && grp) {
        if (!ownsGroup(owner, grp[1])) return reply(res, 403, { error: `only an owner of group '${grp[1]}' may add owners` });
        const added = String(body.owner ?? '');
        if (!Object.hasOwn(state.owners, added)) return reply(res, 404, { error: `no owner '${added}'` });
        if (!state.groups[grp[1]].includes(added)) state.groups[grp[1]].push(added);
        save();
        return reply(res, 200, { group: grp[1], owners: state.groups[grp[1]] });
      }
      return reply(res, 404, { error: `no such endpoint: ${req.method} ${url.pathname}` });
    }, (err: Error) => reply(res, 400, { error: err.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  return {
    url,
    realm: `${url}/token`,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function loadState(file: string): TokenServiceState {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as TokenServiceState;
    return { owners: s.owners ?? {}, groups: s.groups ?? {}, visibility: s.visibility ?? {} };
  } catch {
    return { owners: {}, groups: {}, visibility: {} };
  }
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return {};
  try {
    const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return doc !== null && typeof doc === 'object' ? doc : {};
  } catch {
    throw new Error('the request body is not JSON');
  }
}
