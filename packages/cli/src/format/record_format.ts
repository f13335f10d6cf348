import { compileTemplate, formatTime } from './template.ts';
import type { TemplateFields } from './template.ts';

/** -O for consume. */
export const RECORD_OUTPUTS = ['text', 'json', 'raw', 'table'] as const;
export type RecordOutput = (typeof RECORD_OUTPUTS)[number];

/** What the formatter needs from a consumed record. */
export interface RecordView {
  partition: number;
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array;
}

export interface RecordFormatOptions {
  output: RecordOutput;
  /** -k: prefix '[key] ' ('[null]' without a key) in text and template modes. */
  keyValue?: boolean;
  /** -F: a template; overrides -O. */
  format?: string;
  /** --json-bytes: how -O json writes keys and values: UTF-8 text (invalid bytes become U+FFFD) or base64 (exact). */
  jsonBytes?: JsonBytes;
}

export const JSON_BYTES = ['utf8', 'base64'] as const;
export type JsonBytes = (typeof JSON_BYTES)[number];

function base64(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('base64');
}

export type RecordFormatter = (r: RecordView) => string | Uint8Array;

function text(bytes: Uint8Array): string {
  return Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

const keyText = (key: Uint8Array | null): string => (key === null ? 'null' : text(key));

/**
 * Builds the per-record formatter once (template compiled, mode chosen), so the consume loop does
 * one call per record. Text-like outputs end each record with '\n'; raw writes the value's bytes
 * exactly (no decoding, nothing added).
 */
export function recordFormatter(o: RecordFormatOptions): RecordFormatter {
  const prefix = o.keyValue ? (r: RecordView) => `[${keyText(r.key)}] ` : null;
  if (o.format !== undefined) {
    const t = compileTemplate(o.format);
    const fields: TemplateFields = { key: '', value: '', offset: '', partition: '', time: '' };
    const uses = t.uses;
    return (r) => {
      if (uses.has('key')) fields.key = keyText(r.key);
      if (uses.has('value')) fields.value = text(r.value);
      if (uses.has('offset')) fields.offset = String(r.offset);
      if (uses.has('partition')) fields.partition = String(r.partition);
      if (uses.has('time')) fields.time = formatTime(r.timestamp);
      return (prefix ? prefix(r) : '') + t.render(fields) + '\n';
    };
  }
  switch (o.output) {
    case 'text':
      return prefix ? (r) => `${prefix(r)}${text(r.value)}\n` : (r) => `${text(r.value)}\n`;
    case 'json': {
      const bytes = o.jsonBytes === 'base64' ? base64 : text;
      return (r) => JSON.stringify({
        partition: r.partition,
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key === null ? null : bytes(r.key),
        value: bytes(r.value),
      }) + '\n';
    }
    case 'raw':
      return (r) => r.value;
    case 'table':
      return tableFormatter();
  }
}

/** A streaming table: the header once, then one padded row per record as it arrives. */
function tableFormatter(): RecordFormatter {
  let header = true;
  const row = (p: string, o: string, k: string, t: string, v: string) =>
    `${p.padEnd(9)}  ${o.padEnd(10)}  ${k.padEnd(20)}  ${t.padEnd(24)}  ${v}`.trimEnd() + '\n';
  return (r) => {
    const line = row(String(r.partition), String(r.offset), clip(keyText(r.key), 20), formatTime(r.timestamp), oneLine(text(r.value)));
    if (!header) return line;
    header = false;
    return row('PARTITION', 'OFFSET', 'KEY', 'TIMESTAMP', 'VALUE') + line;
  };
}

const clip = (s: string, n: number) => (s.length <= n ? s : s.slice(0, n - 1) + '…');
const oneLine = (s: string) => s.replace(/\r?\n/g, '\\n');
