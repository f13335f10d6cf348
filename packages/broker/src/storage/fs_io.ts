// Thin promise wrappers over the callback fs API: cheaper than FileHandle on the hot path and
// they give positional reads/writes on raw fds. Each loops over short reads/writes.
import fs from 'node:fs';
import { StorageCorruptionError } from './errors.ts';

/** Linux IOV_MAX; writev with more buffers is split. */
const IOV_MAX = 1024;

export const O_READ_WRITE_CREATE = fs.constants.O_RDWR | fs.constants.O_CREAT;
export const O_READ_WRITE = fs.constants.O_RDWR;

export function openFd(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.open(path, flags, 0o644, (err, fd) => (err ? reject(err) : resolve(fd)));
  });
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.close(fd, (err) => (err ? reject(err) : resolve()));
  });
}

export function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()));
  });
}

export function fileSize(fd: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size)));
  });
}

export function ftruncate(fd: number, length: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.ftruncate(fd, length, (err) => (err ? reject(err) : resolve()));
  });
}

function readOnce(fd: number, buf: Buffer, off: number, len: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, off, len, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/**
 * Reads exactly `length` bytes at `position` into `into` (its first `length` bytes) or a new
 * buffer. A short file means the data we believed present is gone, which is corruption, not EOF.
 */
export async function preadExact(fd: number, position: number, length: number, into?: Buffer): Promise<Buffer> {
  const buf = into ?? Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const n = await readOnce(fd, buf, done, length - done, position + done);
    if (n === 0) {
      throw new StorageCorruptionError(`short read: wanted ${length} bytes at ${position}, file ended after ${done}`);
    }
    done += n;
  }
  return buf;
}

function writevOnce(fd: number, bufs: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.writev(fd, bufs, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/** Writes all of `bufs` contiguously at `position` (one writev per IOV_MAX buffers), retrying short writes. */
export async function pwritevAll(fd: number, bufs: readonly Buffer[], position: number): Promise<void> {
  const queue = bufs.slice();
  let pos = position;
  let start = 0;
  while (start < queue.length) {
    const end = Math.min(queue.length, start + IOV_MAX);
    const chunk = start === 0 && end === queue.length ? queue : queue.slice(start, end);
    let written = await writevOnce(fd, chunk, pos);
    if (written === 0 && chunk.some((b) => b.length > 0)) throw new Error(`writev wrote 0 bytes at ${pos}`);
    pos += written;
    while (start < end && written >= queue[start].length) written -= queue[start++].length;
    if (written > 0) queue[start] = queue[start].subarray(written); // partly written buffer
  }
}

/**
 * pwritevAll on the calling thread. For small writes into the page cache (microseconds) this
 * beats a round trip through the thread pool, which costs two event-loop wake-ups of latency.
 */
export function pwritevAllSync(fd: number, bufs: readonly Buffer[], position: number): void {
  let queue = bufs as Buffer[];
  let pos = position;
  let start = 0;
  while (start < queue.length) {
    const end = Math.min(queue.length, start + IOV_MAX);
    const chunk = start === 0 && end === queue.length ? queue : queue.slice(start, end);
    let written = fs.writevSync(fd, chunk, pos);
    if (written === 0 && chunk.some((b) => b.length > 0)) throw new Error(`writev wrote 0 bytes at ${pos}`);
    pos += written;
    while (start < end && written >= queue[start].length) written -= queue[start++].length;
    if (written > 0) {
      if (queue === bufs) queue = bufs.slice();
      queue[start] = queue[start].subarray(written); // partly written buffer
    }
  }
}

/** Writes one buffer fully at `position`. */
export async function pwriteAll(fd: number, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    done += await new Promise<number>((resolve, reject) => {
      fs.write(fd, buf, done, buf.length - done, position + done, (err, n) => (err ? reject(err) : resolve(n)));
    });
  }
}

/** fsync on a directory, so that files created or removed in it survive a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = await openFd(dir, fs.constants.O_RDONLY);
  try {
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  } finally {
    await closeFd(fd);
  }
}
