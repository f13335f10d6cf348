import { EddyError, ErrorCode } from '@eddy/protocol';

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads a secrets file's text (KEY=value lines, blank lines and `#` comments skipped, surrounding
 * quotes removed: the format the connector kit reads) to check it and learn the names; values are never echoed in errors.
 */
export function parseSecrets(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? '' : line.slice(0, eq).trim();
    if (!KEY_RE.test(key)) throw new EddyError(ErrorCode.InvalidConfig, `secrets line ${i + 1}: expected NAME=value`);
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    out.set(key, value);
  }
  return out;
}
