/**
 * Record-section compression codecs, wire-compatible with Fluvio:
 * gzip (RFC 1952), snappy (framing format, as Rust `snap::write::FrameEncoder`),
 * lz4 (LZ4 frame format), zstd (zstd frame).
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { crc32c } from './crc32c.ts';

// Codecs load on first use: the native snappy and lz4 addons and node:zlib cost a process that
// never compresses (an idle broker, most consumers) several MB of RSS.
const require = createRequire(import.meta.url);
let zlibMod: typeof import('node:zlib') | undefined;
let snappyMod: typeof import('snappy') | undefined;
let lz4Mod: typeof import('lz4-napi') | undefined;
let zlibAsync: {
  gzip: (b: Buffer) => Promise<Buffer>; gunzip: (b: Buffer, o: object) => Promise<Buffer>;
  zstdCompress: (b: Buffer) => Promise<Buffer>; zstdDecompress: (b: Buffer, o: object) => Promise<Buffer>;
} | undefined;
const codecs = {
  get zlib(): typeof import('node:zlib') { return (zlibMod ??= process.getBuiltinModule('node:zlib')); },
  get snappy(): typeof import('snappy') { return (snappyMod ??= require('snappy') as typeof import('snappy')); },
  get lz4(): typeof import('lz4-napi') { return (lz4Mod ??= require('lz4-napi') as typeof import('lz4-napi')); },
  get zlibAsync(): NonNullable<typeof zlibAsync> {
    const z = codecs.zlib;
    return (zlibAsync ??= {
      gzip: promisify(z.gzip), gunzip: promisify(z.gunzip) as (b: Buffer, o: object) => Promise<Buffer>,
      zstdCompress: promisify(z.zstdCompress), zstdDecompress: promisify(z.zstdDecompress) as (b: Buffer, o: object) => Promise<Buffer>,
    });
  },
};

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof Compression;
export type CompressionCode = (typeof Compression)[CompressionName];

const NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Bad compression name/code, or bytes that do not decompress. */
export class CompressionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CompressionError';
  }
}

export function isCompressionCode(code: number): code is CompressionCode {
  return code === 0 || code === 1 || code === 2 || code === 3 || code === 4;
}

/** 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' (case-insensitive) -> code. */
export function parseCompression(name: string): CompressionCode {
  const key = name.trim().toLowerCase();
  if (Object.hasOwn(Compression, key)) return Compression[key as CompressionName];
  throw new CompressionError(`unknown compression '${name}' (expected one of: ${NAMES.join(', ')})`);
}

export function compressionName(code: number): CompressionName {
  if (!isCompressionCode(code)) throw new CompressionError(`unknown compression code ${code}`);
  return NAMES[code];
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function fail(code: CompressionCode, op: string, err: unknown): never {
  if (err instanceof CompressionError) throw err;
  const msg = err instanceof Error ? err.message : String(err);
  throw new CompressionError(`${NAMES[code]} ${op} failed: ${msg}`, { cause: err });
}

function checkSize(code: CompressionCode, out: Buffer, max: number | undefined): Buffer {
  if (max !== undefined && out.length > max) {
    throw new CompressionError(`${NAMES[code]} output of ${out.length} bytes exceeds limit ${max}`);
  }
  return out;
}

export interface DecompressOptions {
  /** Reject output larger than this many bytes (decompression-bomb guard). */
  maxOutputLength?: number;
}

// ---------------------------------------------------------------------------------------------
// Snappy framing format (https://github.com/google/snappy/blob/main/framing_format.txt).
// The `snappy` package only offers raw blocks synchronously, so the frame is built here.

const SNAPPY_STREAM_ID = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);
const SNAPPY_CHUNK = 65536; // max uncompressed bytes per chunk

function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

function frameChunk(piece: Buffer, compressed: Buffer): Buffer[] {
  // Store uncompressed when compression does not pay (as the reference encoders do).
  const useRaw = compressed.length >= piece.length - (piece.length >>> 3);
  const body = useRaw ? piece : compressed;
  const head = Buffer.allocUnsafe(8);
  const len = body.length + 4;
  head[0] = useRaw ? 0x01 : 0x00;
  head[1] = len & 0xff;
  head[2] = (len >>> 8) & 0xff;
  head[3] = (len >>> 16) & 0xff;
  head.writeUInt32LE(maskCrc(crc32c(piece)), 4);
  return [head, body];
}

function snappyFrameCompressSync(data: Buffer): Buffer {
  const parts: Buffer[] = [SNAPPY_STREAM_ID];
  for (let off = 0; off < data.length; off += SNAPPY_CHUNK) {
    const piece = data.subarray(off, Math.min(off + SNAPPY_CHUNK, data.length));
    parts.push(...frameChunk(piece, codecs.snappy.compressSync(piece)));
  }
  return Buffer.concat(parts);
}

async function snappyFrameCompress(data: Buffer): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let off = 0; off < data.length; off += SNAPPY_CHUNK) {
    pieces.push(data.subarray(off, Math.min(off + SNAPPY_CHUNK, data.length)));
  }
  const compressed = await Promise.all(pieces.map((p) => codecs.snappy.compress(p)));
  const parts: Buffer[] = [SNAPPY_STREAM_ID];
  for (let i = 0; i < pieces.length; i++) parts.push(...frameChunk(pieces[i], compressed[i]));
  return Buffer.concat(parts);
}

function snappyFrameDecompressSync(data: Buffer, max: number | undefined): Buffer {
  const out: Buffer[] = [];
  let total = 0;
  let pos = 0;
  let sawStreamId = false;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new Error(`frame truncated at byte ${pos}`);
    const type = data[pos];
    const len = data[pos + 1] | (data[pos + 2] << 8) | (data[pos + 3] << 16);
    const body = pos + 4;
    const end = body + len;
    if (end > data.length) throw new Error(`chunk at byte ${pos} runs past end of data`);
    if (type === 0xff) {
      if (len !== 6 || !data.subarray(pos, end).equals(SNAPPY_STREAM_ID)) {
        throw new Error(`bad stream identifier at byte ${pos}`);
      }
      sawStreamId = true;
    } else if (!sawStreamId) {
      throw new Error('frame does not start with a stream identifier');
    } else if (type === 0x00 || type === 0x01) {
      if (len < 4) throw new Error(`chunk at byte ${pos} too short`);
      const expected = data.readUInt32LE(body);
      let piece: Buffer;
      if (type === 0x00) {
        const res = codecs.snappy.uncompressSync(data.subarray(body + 4, end), { asBuffer: true });
        piece = res as Buffer;
      } else {
        piece = data.subarray(body + 4, end);
      }
      if (piece.length > SNAPPY_CHUNK) throw new Error(`chunk at byte ${pos} too large`);
      if (maskCrc(crc32c(piece)) !== expected) {
        throw new Error(`chunk at byte ${pos} fails its checksum`);
      }
      total += piece.length;
      if (max !== undefined && total > max) {
        throw new Error(`output exceeds limit ${max}`);
      }
      out.push(piece);
    } else if (type >= 0x02 && type <= 0x7f) {
      throw new Error(`unskippable chunk type 0x${type.toString(16)} at byte ${pos}`);
    } // 0x80-0xfe: skippable / padding
    pos = end;
  }
  return out.length === 1 ? out[0] : Buffer.concat(out, total);
}

// ---------------------------------------------------------------------------------------------


/** Compresses `data` with codec `code`. `none` returns the input unchanged (no copy). */
export function compress(code: CompressionCode, data: Uint8Array): Buffer {
  const buf = asBuffer(data);
  try {
    switch (code) {
      case Compression.none:
        return buf;
      case Compression.gzip:
        return codecs.zlib.gzipSync(buf);
      case Compression.snappy:
        return snappyFrameCompressSync(buf);
      case Compression.lz4:
        return codecs.lz4.compressFrameSync(buf);
      case Compression.zstd:
        return codecs.zlib.zstdCompressSync(buf);
      default:
        throw new CompressionError(`unknown compression code ${code as number}`);
    }
  } catch (err) {
    fail(code, 'compression', err);
  }
}

/** Decompresses `data` compressed with codec `code`. `none` returns the input unchanged. */
export function decompress(code: CompressionCode, data: Uint8Array, opts?: DecompressOptions): Buffer {
  const buf = asBuffer(data);
  const max = opts?.maxOutputLength;
  try {
    switch (code) {
      case Compression.none:
        return buf;
      case Compression.gzip:
        return codecs.zlib.gunzipSync(buf, max === undefined ? undefined : { maxOutputLength: max });
      case Compression.snappy:
        return snappyFrameDecompressSync(buf, max);
      case Compression.lz4:
        return checkSize(code, codecs.lz4.decompressFrameSync(buf), max);
      case Compression.zstd:
        return codecs.zlib.zstdDecompressSync(buf, max === undefined ? undefined : { maxOutputLength: max });
      default:
        throw new CompressionError(`unknown compression code ${code as number}`);
    }
  } catch (err) {
    fail(code, 'decompression', err);
  }
}

/** Like `compress`, but off the main thread where the codec allows it. */
export async function compressAsync(code: CompressionCode, data: Uint8Array): Promise<Buffer> {
  const buf = asBuffer(data);
  try {
    switch (code) {
      case Compression.none:
        return buf;
      case Compression.gzip:
        return await codecs.zlibAsync.gzip(buf);
      case Compression.snappy:
        return await snappyFrameCompress(buf);
      case Compression.lz4:
        return await codecs.lz4.compressFrame(buf);
      case Compression.zstd:
        return await codecs.zlibAsync.zstdCompress(buf);
      default:
        throw new CompressionError(`unknown compression code ${code as number}`);
    }
  } catch (err) {
    fail(code, 'compression', err);
  }
}

/** Like `decompress`, but off the main thread where the codec allows it. */
export async function decompressAsync(
  code: CompressionCode,
  data: Uint8Array,
  opts?: DecompressOptions,
): Promise<Buffer> {
  const buf = asBuffer(data);
  const max = opts?.maxOutputLength;
  try {
    switch (code) {
      case Compression.none:
        return buf;
      case Compression.gzip:
        return await codecs.zlibAsync.gunzip(buf, max === undefined ? {} : { maxOutputLength: max });
      case Compression.snappy:
        // Snappy blocks decode faster than a thread hop costs; stay synchronous.
        return snappyFrameDecompressSync(buf, max);
      case Compression.lz4:
        return checkSize(code, await codecs.lz4.decompressFrame(buf), max);
      case Compression.zstd:
        return await codecs.zlibAsync.zstdDecompress(buf, max === undefined ? {} : { maxOutputLength: max });
      default:
        throw new CompressionError(`unknown compression code ${code as number}`);
    }
  } catch (err) {
    fail(code, 'decompression', err);
  }
}
