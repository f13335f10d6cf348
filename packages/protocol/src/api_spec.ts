import type { Schema } from './codec/schema.ts';
import { apiKeyName } from './api_key.ts';

/** What one API speaks at one version: the request layout and the response layout answering it. */
export interface ApiVersion<Req, Res> {
  request: Schema<Req>;
  /** null for one-way requests that are never answered. */
  response: Schema<Res> | null;
}

/**
 * One API and every version of it this build speaks. All versions share one request and one
 * response type (the model); a version only decides which of its fields go on the wire.
 */
export interface ApiSpec<Req, Res> {
  key: number;
  minVersion: number;
  maxVersion: number;
  /** Layouts by version number, minVersion..maxVersion (kafkajs-style `{ 0: v0, 1: v1 }`). */
  versions: Readonly<Record<number, ApiVersion<Req, Res>>>;
  /** maxVersion's request layout; a peer that negotiated another version needs apiVersionOf(). */
  request: Schema<Req>;
  /** maxVersion's response layout. */
  response: Schema<Res> | null;
  /** Answered by many responses sharing the request's correlation id. */
  streaming: boolean;
}

/** An API from its layouts by version; the keys must be a run of whole numbers with no gap. */
export function defineApi<Req, Res>(
  key: number,
  versions: Readonly<Record<number, ApiVersion<Req, Res>>>,
  streaming = false,
): ApiSpec<Req, Res> {
  const numbers = Object.keys(versions).map(Number).sort((a, b) => a - b);
  if (numbers.length === 0) throw new TypeError(`api ${key} has no version`);
  const minVersion = numbers[0];
  const maxVersion = numbers[numbers.length - 1];
  // The header carries an i16 and ApiVersions advertises a plain range: no holes, no negatives.
  if (!Number.isInteger(minVersion) || minVersion < 0 || maxVersion > 0x7fff || maxVersion - minVersion + 1 !== numbers.length) {
    throw new TypeError(`api ${key} versions must be consecutive whole numbers in 0..32767, got ${numbers.join(', ')}`);
  }
  const oneWay = versions[minVersion].response === null;
  for (const v of numbers) {
    if ((versions[v].response === null) !== oneWay) throw new TypeError(`api ${key} version ${v} changes whether the request is answered`);
  }
  const latest = versions[maxVersion];
  return { key, minVersion, maxVersion, versions, request: latest.request, response: latest.response, streaming };
}

/** The layouts of `spec` at `version`, or undefined when this build does not speak that version. */
export function apiVersionOf<Req, Res>(spec: ApiSpec<Req, Res>, version: number): ApiVersion<Req, Res> | undefined {
  return version >= spec.minVersion && version <= spec.maxVersion ? spec.versions[version] : undefined;
}

/**
 * The layouts of the version nearest `version` this build speaks: what an UnsupportedVersion
 * answer is written in, since the peer's own layout for that version is unknown here.
 */
export function nearestApiVersion<Req, Res>(spec: ApiSpec<Req, Res>, version: number): ApiVersion<Req, Res> {
  return spec.versions[Math.min(Math.max(version, spec.minVersion), spec.maxVersion)];
}

/** The one-line reason a request at `version` is refused. */
export function unsupportedVersionMessage(spec: ApiSpec<any, any>, version: number): string {
  return `${apiKeyName(spec.key)} version ${version} is not supported (supported: ${spec.minVersion}..${spec.maxVersion})`;
}
