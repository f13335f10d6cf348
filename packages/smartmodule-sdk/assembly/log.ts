// Opt-in logging to the host's stderr through WASI `fd_write` (Eddy tags it with the
// module name in the broker log). The WASI import only appears in modules that call log().
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLength: u32, written: usize): u16;

/** Writes `message` and a newline to stderr. */
export function log(message: string): void {
  const bytes = String.UTF8.encode(message + "\n");
  const iov = memory.data(16);
  store<u32>(iov, changetype<usize>(bytes));
  store<u32>(iov, <u32>bytes.byteLength, 4);
  fd_write(2, iov, 1, iov + 8);
}
