// A publisher's Ed25519 key pair, kept as PKCS#8 PEM. Fluvio writes public keys as hex in
// signatures, so the hex form is what the token service registers too.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HubError } from './hub_error.ts';

export interface SigningKey {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  /** The raw 32-byte public key as hex (Fluvio's `pubkey`). */
  publicHex: string;
}

export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return { privateKey, publicKey, publicHex: publicKeyHex(publicKey) };
}

export function publicKeyHex(key: crypto.KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url').toString('hex');
}

export function publicKeyFromHex(hex: string): crypto.KeyObject {
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new HubError('public key is not 32 bytes of hex');
  return crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
}

export function writeSigningKey(file: string, key: SigningKey): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

export function readSigningKey(file: string): SigningKey {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch {
    throw new HubError(`no Hub key at ${file}: run 'eddy hub login' first`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(pem);
  } catch {
    throw new HubError(`${file} is not a private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new HubError(`${file} is not an Ed25519 key`);
  const publicKey = crypto.createPublicKey(privateKey);
  return { privateKey, publicKey, publicHex: publicKeyHex(publicKey) };
}
