// The subset of TOML that SmartModule.toml uses (Fluvio's package metadata file): tables,
// arrays of tables, and key = string | boolean | integer | float lines. Enough to read files
// smdk writes and files written by hand for Fluvio; anything else is a clear error.

export type TomlValue = string | number | boolean;
export type TomlTable = { [key: string]: TomlValue | TomlTable | TomlTable[] };

export class TomlError extends Error {
  readonly line: number;
  constructor(source: string, line: number, message: string) {
    super(`${source} line ${line}: ${message}`);
    this.name = 'TomlError';
    this.line = line;
  }
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** Parses `text`; `source` names the file in error messages. */
/** Tables are null-prototype objects, so keys like `constructor` or `__proto__` are plain keys. */
function newTable(): TomlTable {
  return Object.create(null) as TomlTable;
}

export function parseToml(text: string, source = 'TOML'): TomlTable {
  const root = newTable();
  let current = root;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const fail = (msg: string): never => {
      throw new TomlError(source, lineNo, msg);
    };
    const line = stripComment(lines[i]).trim();
    if (line === '') continue;
    if (line.startsWith('[[')) {
      if (!line.endsWith(']]')) fail(`unterminated array-of-tables header '${line}'`);
      const path = parseKeyPath(line.slice(2, -2), fail);
      const parent = walk(root, path.slice(0, -1), fail);
      const last = path[path.length - 1];
      const existing = parent[last];
      const table = newTable();
      if (existing === undefined) parent[last] = [table];
      else if (Array.isArray(existing)) existing.push(table);
      else fail(`'${path.join('.')}' is already defined as a ${typeof existing === 'object' ? 'table' : 'value'}`);
      current = table;
      continue;
    }
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) fail(`unterminated table header '${line}'`);
      const path = parseKeyPath(line.slice(1, -1), fail);
      current = walk(root, path, fail);
      continue;
    }
    const eq = findEquals(line);
    if (eq < 0) fail(`expected 'key = value', got '${line}'`);
    const keyPath = parseKeyPath(line.slice(0, eq), fail);
    const target = walk(current, keyPath.slice(0, -1), fail);
    const key = keyPath[keyPath.length - 1];
    if (key in target) fail(`duplicate key '${keyPath.join('.')}'`);
    target[key] = parseValue(line.slice(eq + 1).trim(), fail);
  }
  return root;
}

function walk(from: TomlTable, path: string[], fail: (m: string) => never): TomlTable {
  let t = from;
  for (const k of path) {
    const v = t[k];
    if (v === undefined) {
      const n = newTable();
      t[k] = n;
      t = n;
    } else if (Array.isArray(v)) {
      t = v[v.length - 1];
    } else if (typeof v === 'object') {
      t = v;
    } else {
      fail(`'${k}' is a value, not a table`);
    }
  }
  return t;
}

function parseKeyPath(text: string, fail: (m: string) => never): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (true) {
    let key: string;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const { value, end } = readString(rest, 0, fail);
      key = value;
      rest = rest.slice(end).trim();
    } else {
      const dot = rest.indexOf('.');
      key = (dot < 0 ? rest : rest.slice(0, dot)).trim();
      rest = dot < 0 ? '' : rest.slice(dot);
      if (!BARE_KEY.test(key)) fail(`invalid key '${key}'`);
    }
    parts.push(key);
    if (rest === '') return parts;
    if (!rest.startsWith('.')) fail(`unexpected '${rest}' after key '${key}'`);
    rest = rest.slice(1).trim();
  }
}

/** Index of the '=' that separates key from value (a quoted key may contain '='). */
function findEquals(line: string): number {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '=') return i;
  }
  return -1;
}

/** Drops a `# comment` that is outside any string. */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

function parseValue(text: string, fail: (m: string) => never): TomlValue {
  if (text === '') fail('missing value after =');
  if (text.startsWith('"""') || text.startsWith("'''")) fail('multi-line strings are not supported in SmartModule.toml');
  if (text.startsWith('"') || text.startsWith("'")) {
    const { value, end } = readString(text, 0, fail);
    if (text.slice(end).trim() !== '') fail(`unexpected '${text.slice(end).trim()}' after string`);
    return value;
  }
  if (text === 'true') return true;
  if (text === 'false') return false;
  const num = text.replace(/_/g, '');
  if (/^[+-]?\d+$/.test(num)) {
    const n = Number(num);
    if (!Number.isSafeInteger(n)) fail(`integer ${text} is out of range`);
    return n;
  }
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(num)) return Number(num);
  if (text.startsWith('[') || text.startsWith('{')) fail('arrays and inline tables are not supported in SmartModule.toml');
  return fail(`invalid value '${text}' (strings need quotes)`);
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

function readString(text: string, start: number, fail: (m: string) => never): { value: string; end: number } {
  const quote = text[start];
  if (quote === "'") {
    const close = text.indexOf("'", start + 1);
    if (close < 0) fail('unterminated string');
    return { value: text.slice(start + 1, close), end: close + 1 };
  }
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return { value: out, end: i + 1 };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = text[++i];
    if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const hex = text.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail(`invalid escape \\${e}${hex}`);
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`invalid unicode escape \\${e}${hex}`);
      out += String.fromCodePoint(cp);
      i += len;
    } else if (e !== undefined && e in ESCAPES) {
      out += ESCAPES[e];
    } else {
      fail(`invalid escape '\\${e ?? ''}' in string`);
    }
  }
  return fail('unterminated string');
}

/** A TOML basic string with the escapes TOML requires. */
export function tomlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

function tomlValue(v: TomlValue): string {
  if (typeof v === 'string') return tomlString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (!Number.isFinite(v)) throw new TypeError(`cannot write ${v} as TOML`);
  return String(v);
}

function tomlKey(k: string): string {
  return BARE_KEY.test(k) ? k : tomlString(k);
}

/**
 * Writes `root`: top-level values first, then each table, then each array of tables. Nesting
 * goes one level deep (all SmartModule.toml needs).
 */
export function stringifyToml(root: TomlTable): string {
  const lines: string[] = [];
  const sections: string[] = [];
  for (const [k, v] of Object.entries(root)) {
    if (Array.isArray(v)) {
      for (const t of v) sections.push(`[[${tomlKey(k)}]]\n${flatTable(t, k)}`);
    } else if (typeof v === 'object') {
      sections.push(`[${tomlKey(k)}]\n${flatTable(v, k)}`);
    } else {
      lines.push(`${tomlKey(k)} = ${tomlValue(v)}`);
    }
  }
  const head = lines.length > 0 ? lines.join('\n') + '\n' : '';
  return head + (head && sections.length ? '\n' : '') + sections.join('\n');
}

function flatTable(t: TomlTable, name: string): string {
  let s = '';
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'object') throw new TypeError(`nested table '${name}.${k}' is not supported`);
    s += `${tomlKey(k)} = ${tomlValue(v)}\n`;
  }
  return s;
}
