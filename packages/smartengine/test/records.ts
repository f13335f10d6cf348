// Test-side encoder/decoder for records sections (u32 count + Fluvio records), written
// from docs/ARCHITECTURE.md independently of the engine's own code so tests check one against the other.

export interface TestRecord {
  key?: string | Uint8Array | null;
  value: string | Uint8Array;
  offsetDelta?: number;
  timestampDelta?: number;
}

export interface DecodedRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Uint8Array | null;
  value: Uint8Array;
  headers: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (v: string | Uint8Array): Uint8Array => (typeof v === 'string' ? enc.encode(v) : v);

function zigzag(out: number[], v: number): void {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  while (u >= 128) {
    out.push((u % 128) | 128);
    u = Math.floor(u / 128);
  }
  out.push(u);
}

export function encodeRecords(records: readonly TestRecord[]): Uint8Array {
  const out: number[] = [];
  const n = records.length;
  out.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  records.forEach((r, i) => {
    const body: number[] = [0];
    zigzag(body, r.timestampDelta ?? 0);
    zigzag(body, r.offsetDelta ?? i);
    if (r.key === undefined || r.key === null) body.push(0);
    else {
      const k = bytes(r.key);
      body.push(1);
      zigzag(body, k.length);
      body.push(...k);
    }
    const v = bytes(r.value);
    zigzag(body, v.length);
    body.push(...v);
    zigzag(body, 0);
    zigzag(out, body.length);
    out.push(...body);
  });
  return Uint8Array.from(out);
}

function readZigzag(buf: Uint8Array, pos: { p: number }): number {
  let u = 0;
  let mul = 1;
  for (;;) {
    if (pos.p >= buf.length) throw new Error('truncated varint');
    const b = buf[pos.p++];
    u += (b & 127) * mul;
    if (b < 128) break;
    mul *= 128;
  }
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

export function decodeRecords(section: Uint8Array): DecodedRecord[] {
  const dv = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const count = dv.getUint32(0);
  const pos = { p: 4 };
  const out: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const len = readZigzag(section, pos);
    const end = pos.p + len;
    const attributes = section[pos.p++];
    const timestampDelta = readZigzag(section, pos);
    const offsetDelta = readZigzag(section, pos);
    let key: Uint8Array | null = null;
    if (section[pos.p++] === 1) {
      const kl = readZigzag(section, pos);
      key = section.slice(pos.p, pos.p + kl);
      pos.p += kl;
    }
    const vl = readZigzag(section, pos);
    const value = section.slice(pos.p, pos.p + vl);
    pos.p += vl;
    const headers = readZigzag(section, pos);
    if (pos.p !== end) throw new Error(`record ${i} length mismatch`);
    out.push({ attributes, timestampDelta, offsetDelta, key, value, headers });
  }
  if (pos.p !== section.length) throw new Error(`${section.length - pos.p} trailing bytes after ${count} records`);
  return out;
}

export const text = (b: Uint8Array | null): string | null => (b === null ? null : dec.decode(b));
export const values = (section: Uint8Array): string[] => decodeRecords(section).map((r) => dec.decode(r.value));
