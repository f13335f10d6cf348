import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.ts';

/** `${{ secrets.NAME }}` (Fluvio's reference syntax; spaces inside the braces optional). */
const REFERENCE = /\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Where secret values come from: a `--secrets` file first, then the environment. */
export interface SecretSource {
  /** From `--secrets FILE`. */
  file?: ReadonlyMap<string, string>;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Parses a secrets file: `KEY=value` lines; blank lines and `#` comments skipped; the value is
 * everything after the first `=` (surrounding quotes removed). Errors name the line, never a value.
 */
export function parseSecretsFile(text: string, source = 'secrets file'): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? '' : line.slice(0, eq).trim();
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new ConfigError('', `${source} line ${i + 1}: expected NAME=value`);
    }
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    out.set(key, value);
  }
  return out;
}

/** Reads and parses `--secrets FILE` (a missing file is a one-line ConfigError). */
export function loadSecretsFile(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('', `cannot read secrets file '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseSecretsFile(text, `secrets file '${file}'`);
}

/**
 * Resolves secret references in a parsed YAML document (in string values, anywhere), returning a
 * new document. Done after parsing rather than on the text, so a value with YAML syntax in it
 * (a quote, a colon) cannot change the document's structure. `used` collects the values resolved
 * (for redaction).
 */
export class SecretResolver {
  private readonly source: SecretSource;
  /** Every secret value handed out: the redaction list. */
  readonly values = new Set<string>();

  constructor(source: SecretSource = {}) {
    this.source = source;
  }

  /** The value of secret `name`; throws a one-line ConfigError naming `path` when it is not set. */
  get(name: string, path: string): string {
    const v = this.source.file?.get(name) ?? (this.source.env ?? process.env)[name];
    if (v === undefined) {
      throw new ConfigError(path, `secret '${name}' is not set (give it in the --secrets file or as an environment variable)`);
    }
    if (v !== '') this.values.add(v);
    return v;
  }

  /** The document with every `${{ secrets.NAME }}` replaced by its value. */
  resolve(doc: unknown, path = ''): unknown {
    if (typeof doc === 'string') {
      if (!doc.includes('${{')) return doc;
      return doc.replace(REFERENCE, (_m, name: string) => this.get(name, path));
    }
    if (Array.isArray(doc)) return doc.map((v, i) => this.resolve(v, `${path}[${i}]`));
    if (doc !== null && typeof doc === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(doc)) out[k] = this.resolve(v, path === '' ? k : `${path}.${k}`);
      return out;
    }
    return doc;
  }

  /** `text` with every secret value replaced by `[secret]` (for any line that may quote config). */
  redact(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('[secret]');
    return out;
  }
}
