// The part of WASI preview 1 a SmartModule may use: stdout/stderr (to the host's log),
// empty args and environment, clocks, randomness, and proc_exit (which fails the call).
// No files, no sockets: every other function answers ENOSYS or EBADF.
// node:wasi cannot send fd 1/2 to a callback, so this is our own small implementation.
// WASI structures in guest memory are little-endian (unlike the SmartModule ABI payloads).
import { WASI_PREVIEW1_FUNCTIONS } from './abi.ts';

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_FAULT = 21;
const ERRNO_INVAL = 28;
const ERRNO_NOSYS = 52;
const ERRNO_SPIPE = 70;

const FILETYPE_CHARACTER_DEVICE = 2;
const ALL_RIGHTS = 0x1fffffffn;

/** Thrown through the guest by proc_exit; the host turns it into a trap error. */
export class WasiExit extends Error {
  readonly exitCode: number;
  constructor(code: number) {
    super(`called proc_exit(${code})`);
    this.exitCode = code;
  }
}

export interface WasiContext {
  /** The guest memory (undefined before instantiation finishes). */
  memory(): WebAssembly.Memory | undefined;
  /** Bytes written to fd 1 or 2. */
  write(fd: 1 | 2, bytes: Uint8Array): void;
}

type WasiFn = (...args: never[]) => number | void;

export function createWasiImports(ctx: WasiContext): Record<string, WasiFn> {
  const views = (): { u8: Uint8Array; dv: DataView } => {
    const mem = ctx.memory();
    if (!mem) throw new Error('WASI called before the module memory was available');
    const buf = mem.buffer;
    return { u8: new Uint8Array(buf), dv: new DataView(buf) };
  };
  const inBounds = (u8: Uint8Array, ptr: number, len: number): boolean => ptr >= 0 && len >= 0 && ptr + len <= u8.length;

  const impl: Record<string, WasiFn> = {
    args_sizes_get: (argcPtr: number, bufSizePtr: number) => {
      const { dv } = views();
      dv.setUint32(argcPtr, 0, true);
      dv.setUint32(bufSizePtr, 0, true);
      return ERRNO_SUCCESS;
    },
    args_get: () => ERRNO_SUCCESS,
    environ_sizes_get: (countPtr: number, bufSizePtr: number) => {
      const { dv } = views();
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(bufSizePtr, 0, true);
      return ERRNO_SUCCESS;
    },
    environ_get: () => ERRNO_SUCCESS,
    clock_res_get: (id: number, resPtr: number) => {
      if (id > 3) return ERRNO_INVAL;
      views().dv.setBigUint64(resPtr, id === 0 ? 1_000_000n : 1_000n, true);
      return ERRNO_SUCCESS;
    },
    clock_time_get: (id: number, _precision: bigint, timePtr: number) => {
      let ns: bigint;
      if (id === 0) ns = BigInt(Date.now()) * 1_000_000n; // wall clock, ms resolution (clock_res_get says so)
      else if (id <= 3) ns = process.hrtime.bigint();
      else return ERRNO_INVAL;
      views().dv.setBigUint64(timePtr, ns, true);
      return ERRNO_SUCCESS;
    },
    fd_write: (fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) => {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      const { u8, dv } = views();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const base = dv.getUint32(iovs + i * 8, true);
        const len = dv.getUint32(iovs + i * 8 + 4, true);
        if (!inBounds(u8, base, len)) return ERRNO_FAULT;
        if (len > 0) ctx.write(fd, u8.subarray(base, base + len));
        total += len;
      }
      dv.setUint32(nwrittenPtr, total, true);
      return ERRNO_SUCCESS;
    },
    fd_read: (fd: number, _iovs: number, _iovsLen: number, nreadPtr: number) => {
      if (fd !== 0) return ERRNO_BADF;
      views().dv.setUint32(nreadPtr, 0, true); // stdin is always at EOF
      return ERRNO_SUCCESS;
    },
    fd_close: (fd: number) => (fd <= 2 ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_fdstat_get: (fd: number, statPtr: number) => {
      if (fd > 2) return ERRNO_BADF;
      const { u8, dv } = views();
      u8.fill(0, statPtr, statPtr + 24);
      u8[statPtr] = FILETYPE_CHARACTER_DEVICE;
      dv.setBigUint64(statPtr + 8, ALL_RIGHTS, true);
      dv.setBigUint64(statPtr + 16, ALL_RIGHTS, true);
      return ERRNO_SUCCESS;
    },
    fd_filestat_get: (fd: number, statPtr: number) => {
      if (fd > 2) return ERRNO_BADF;
      const { u8 } = views();
      u8.fill(0, statPtr, statPtr + 64);
      u8[statPtr + 16] = FILETYPE_CHARACTER_DEVICE;
      return ERRNO_SUCCESS;
    },
    // EBADF here tells libc/Rust std "no preopened directories" and ends their scan
    fd_prestat_get: () => ERRNO_BADF,
    fd_prestat_dir_name: () => ERRNO_BADF,
    fd_seek: (fd: number) => (fd <= 2 ? ERRNO_SPIPE : ERRNO_BADF),
    fd_tell: (fd: number) => (fd <= 2 ? ERRNO_SPIPE : ERRNO_BADF),
    fd_sync: (fd: number) => (fd <= 2 ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_datasync: (fd: number) => (fd <= 2 ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_fdstat_set_flags: (fd: number) => (fd <= 2 ? ERRNO_SUCCESS : ERRNO_BADF),
    random_get: (bufPtr: number, len: number) => {
      const { u8 } = views();
      if (!inBounds(u8, bufPtr, len)) return ERRNO_FAULT;
      for (let off = 0; off < len; off += 65536) {
        crypto.getRandomValues(u8.subarray(bufPtr + off, bufPtr + Math.min(len, off + 65536)));
      }
      return ERRNO_SUCCESS;
    },
    sched_yield: () => ERRNO_SUCCESS,
    proc_exit: (code: number) => {
      throw new WasiExit(code);
    },
    proc_raise: (sig: number) => {
      throw new WasiExit(128 + sig);
    },
  };

  const imports: Record<string, WasiFn> = {};
  for (const name of WASI_PREVIEW1_FUNCTIONS) imports[name] = impl[name] ?? (() => ERRNO_NOSYS);
  return imports;
}
