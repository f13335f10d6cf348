// Fluvio's package signature (`signature.N`, JSON): for each file its name, SHA-512 (hex), length
// and an Ed25519 signature (hex) of its bytes, plus the signer's public key (hex). Verifying
// checks all three for every file the package carries, so an altered or extra file is refused.
import crypto from 'node:crypto';
import { HubError } from './hub_error.ts';
import { publicKeyFromHex, type SigningKey } from './signing_key.ts';

export interface FileSignature {
  name: string;
  hash: string;
  len: number;
  sig: string;
}

export interface PackageSignature {
  files: FileSignature[];
  pubkey: string;
}

export interface PackageFile {
  name: string;
  data: Uint8Array;
}

export function signatureFileName(n: number): string {
  return `signature.${n}`;
}

export function signFiles(files: readonly PackageFile[], key: SigningKey): PackageSignature {
  return {
    files: files.map((f) => ({
      name: f.name,
      hash: crypto.createHash('sha512').update(f.data).digest('hex'),
      len: f.data.length,
      sig: crypto.sign(null, f.data, key.privateKey).toString('hex'),
    })),
    pubkey: key.publicHex,
  };
}

export function parseSignature(data: Uint8Array, where: string): PackageSignature {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    throw new HubError(`${where} does not parse as JSON`);
  }
  const d = doc as PackageSignature;
  if (d === null || typeof d !== 'object' || typeof d.pubkey !== 'string' || !Array.isArray(d.files)
    || d.files.some((f) => f === null || typeof f !== 'object' || typeof f.name !== 'string' || typeof f.hash !== 'string' || typeof f.sig !== 'string' || typeof f.len !== 'number')) {
    throw new HubError(`${where} is not a package signature`);
  }
  return d;
}

/**
 * Checks that `sig` covers every one of `files` (name, length, SHA-512, Ed25519 signature).
 * Throws one line naming the first file that fails; returns the signer's public key (hex).
 */
export function verifyFiles(pkg: string, files: readonly PackageFile[], sig: PackageSignature): string {
  let key: crypto.KeyObject;
  try {
    key = publicKeyFromHex(sig.pubkey);
  } catch {
    throw new HubError(`${pkg} is refused: its signature's public key is not valid`);
  }
  const byName = new Map(sig.files.map((f) => [f.name, f]));
  for (const f of files) {
    const s = byName.get(f.name);
    if (!s) throw new HubError(`${pkg} is refused: ${f.name} is not signed`);
    const hash = crypto.createHash('sha512').update(f.data).digest('hex');
    let ok = s.len === f.data.length && s.hash === hash;
    if (ok) {
      try {
        ok = crypto.verify(null, f.data, key, Buffer.from(s.sig, 'hex'));
      } catch {
        ok = false;
      }
    }
    if (!ok) throw new HubError(`${pkg} is refused: ${f.name} does not match its signature (altered after signing)`);
  }
  return sig.pubkey;
}
