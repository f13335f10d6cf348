// Minimal reading and patching of the WebAssembly binary format: enough to cap the
// module's memory. V8 cannot refuse a memory.grow from the host side, but it honours
// the memory's declared maximum, so we lower (or add) that maximum before compiling.

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const SECTION_MEMORY = 5;

export class WasmBinaryError extends Error {}

export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
}

function readU32(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= bytes.length) throw new WasmBinaryError('malformed WebAssembly: truncated LEB128 number');
    const b = bytes[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, pos];
    mul *= 128;
  }
  throw new WasmBinaryError('malformed WebAssembly: LEB128 number longer than 5 bytes');
}

function writeU32(out: number[], value: number): void {
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
}

export interface MemoryLimits {
  minPages: number;
  maxPages: number | null;
}

/**
 * Returns a copy of `bytes` whose defined memories have maximum <= maxPages, and the
 * limits found. Throws WasmBinaryError for memory64 memories or an initial size above the cap.
 */
export function capMemory(bytes: Uint8Array, maxPages: number): { bytes: Uint8Array; memories: MemoryLimits[] } {
  if (!isWasm(bytes)) throw new WasmBinaryError('not a WebAssembly binary (bad magic number)');
  let pos = 8;
  while (pos < bytes.length) {
    const sectionStart = pos;
    const id = bytes[pos++];
    const [size, payloadStart] = readU32(bytes, pos);
    const payloadEnd = payloadStart + size;
    if (payloadEnd > bytes.length) throw new WasmBinaryError(`malformed WebAssembly: section ${id} runs past the end of the file`);
    if (id !== SECTION_MEMORY) {
      pos = payloadEnd;
      continue;
    }
    const memories: MemoryLimits[] = [];
    const payload: number[] = [];
    let [count, p] = readU32(bytes, payloadStart);
    writeU32(payload, count);
    for (let i = 0; i < count; i++) {
      const flags = bytes[p++];
      if (flags & 0x04) throw new WasmBinaryError('64-bit memories are not supported');
      let min: number;
      let max: number | null = null;
      [min, p] = readU32(bytes, p);
      if (flags & 0x01) [max, p] = readU32(bytes, p);
      memories.push({ minPages: min, maxPages: max });
      if (min > maxPages) {
        throw new WasmBinaryError(`its initial memory of ${min} pages is above the limit of ${maxPages} pages`);
      }
      payload.push(flags | 0x01);
      writeU32(payload, min);
      writeU32(payload, max === null ? maxPages : Math.min(max, maxPages));
    }
    if (p !== payloadEnd) throw new WasmBinaryError('malformed WebAssembly: bad memory section');
    const header: number[] = [SECTION_MEMORY];
    writeU32(header, payload.length);
    const out = new Uint8Array(sectionStart + header.length + payload.length + (bytes.length - payloadEnd));
    out.set(bytes.subarray(0, sectionStart), 0);
    out.set(header, sectionStart);
    out.set(payload, sectionStart + header.length);
    out.set(bytes.subarray(payloadEnd), sectionStart + header.length + payload.length);
    return { bytes: out, memories };
  }
  return { bytes: bytes.slice(), memories: [] };
}
