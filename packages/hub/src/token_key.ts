// The token service's signing key (ECDSA P-256, for ES256 JWTs) and its self-signed
// certificate, which the registry trusts through `rootcertbundle`. The certificate is made by
// the openssl CLI; the key id is the one distribution derives from a certificate's key (libtrust:
// the first 240 bits of the SHA-256 of the DER public key, base32, in groups of four).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HubError } from './hub_error.ts';

export interface TokenKey {
  privateKey: crypto.KeyObject;
  kid: string;
  certFile: string;
}

/** Loads `<dir>/token-key.pem` and `<dir>/token-cert.pem`, making them first if missing. */
export function ensureTokenKey(dir: string): TokenKey {
  const keyFile = path.join(dir, 'token-key.pem');
  const certFile = path.join(dir, 'token-cert.pem');
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(keyFile) || !fs.existsSync(certFile)) {
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      execFileSync('openssl', ['req', '-x509', '-new', '-key', keyFile, '-subj', '/CN=eddy-hub-token-service', '-days', '3650', '-out', certFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      fs.rmSync(keyFile, { force: true });
      throw new HubError(`cannot make the token service's certificate with openssl: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const privateKey = crypto.createPrivateKey(fs.readFileSync(keyFile));
  const cert = new crypto.X509Certificate(fs.readFileSync(certFile));
  return { privateKey, kid: libtrustKeyId(cert.publicKey), certFile };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function libtrustKeyId(publicKey: crypto.KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const bytes = crypto.createHash('sha256').update(der).digest().subarray(0, 30);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(':');
}

export function signJwt(key: TokenKey, claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid: key.kid })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = crypto.sign('sha256', Buffer.from(`${header}.${payload}`), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${sig.toString('base64url')}`;
}
