import { EddyError, ErrorCode, errorCodeName } from '@eddy/protocol';
import { ParseError } from './parse/parse_error.ts';

/** A problem the user can fix (bad input, wrong state); printed as is. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Why a file could not be read, in the CLI's words (one line, no errno prefix). */
export function fileProblem(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    default: return (err as Error).message;
  }
}

/**
 * The cluster at `endpoint` did not answer. The message fits the cause: only a refused
 * connection means nothing listens there (start a cluster); a name that does not resolve or a
 * host that does not answer points at the endpoint or the network instead.
 */
export class ClusterUnreachableError extends CliError {
  readonly endpoint: string;
  constructor(endpoint: string, code?: string) {
    super(unreachableMessage(endpoint, code));
    this.endpoint = endpoint;
  }
}

function unreachableMessage(endpoint: string, code: string | undefined): string {
  const host = endpoint.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  switch (code) {
    case 'ENOTFOUND':
      return `cannot reach the cluster at ${endpoint}: unknown host '${host}' (check --endpoint or the profile: 'eddy profile list')`;
    case 'EAI_AGAIN':
      return `cannot reach the cluster at ${endpoint}: could not look up '${host}' (DNS did not answer; check the network)`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach the cluster at ${endpoint}: ${code === 'ETIMEDOUT' ? 'the connection timed out' : 'no route to the host'} (check the address and any firewall)`;
    case 'ECONNRESET':
      return `cannot reach the cluster at ${endpoint}: the connection was reset (is it an Eddy cluster?)`;
    default:
      return `cannot reach the cluster at ${endpoint} (is it running? try 'eddy cluster start')`;
  }
}

/** What to do about an error, when the CLI knows a fix ('' when it does not). */
export function fixHint(err: unknown): string {
  if (err instanceof Error && err.message.includes('failed to decode SmartModule base input')) {
    // A module built against an older Fluvio SDK cannot read the newest base input (code -11).
    const name = /SmartModule "([^"]+)"/.exec(err.message)?.[1] ?? 'NAME';
    return ` (the module was likely built for an older SmartModule ABI: call it with an older version, e.g. 'version: 22' in a transforms file (-t FILE) or --transforms-line '{"uses":"${name}","version":22}')`;
  }
  if (err instanceof EddyError && err.code === ErrorCode.RecordTooLarge) {
    const topic = /topic '([^']+)' max record size/.exec(err.message)?.[1];
    if (topic !== undefined) {
      return ` (the limit is the topic's, set at creation: recreate it with a larger --max-record-size, e.g. 'eddy topic create ${topic} --max-record-size 4MB')`;
    }
    return " (raise the limit with --max-record-size when creating the topic, or --batch-size when producing)";
  }
  return '';
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

/** The errno-style code of a socket error, looking through causes and AggregateErrors. */
export function systemErrorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || err === null || typeof err !== 'object') return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const c = systemErrorCode(e, depth + 1);
      if (c) return c;
    }
  }
  return systemErrorCode((err as { cause?: unknown }).cause, depth + 1);
}

export function isUnreachable(err: unknown): boolean {
  const code = systemErrorCode(err);
  return code !== undefined && UNREACHABLE.has(code);
}

/** One line, no trailing period games: newlines in nested messages become '; '. */
export function errorLine(err: unknown): string {
  let message: string;
  if (err instanceof CliError || err instanceof ParseError) message = err.message;
  else if (err instanceof EddyError) message = (err.message || errorCodeName(err.code)) + fixHint(err);
  else if (err instanceof Error) {
    const code = systemErrorCode(err);
    message = (err.message || (code ?? err.name)) + fixHint(err);
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') message = err.message.replace(/^\w+: /, '');
  } else message = String(err);
  return `error: ${message.trim().replace(/\s*\n\s*/g, '; ')}`;
}

/** Prints the error as one line on stderr and sets a non-zero exit code. */
export function reportError(err: unknown): void {
  process.stderr.write(errorLine(err) + '\n');
  if (process.env.EDDY_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}
