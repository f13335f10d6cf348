// Reading a server-side socket into buffers we choose. Node offers this (`onread`) only for
// sockets it constructs from options, not for those a net.Server accepts; the accepted socket
// has the same machinery, reached through its kBuffer/kBufferCb/kBufferGen slots and the
// handle's useUserBuffer(). When any of that is missing (another Node), we report false and
// the caller falls back to 'data' events.
import type { Socket } from 'node:net';

type Slots = { kBuffer: symbol; kBufferCb: symbol; kBufferGen: symbol };
let slots: Slots | null | undefined;

function findSlots(socket: Socket): Slots | null {
  if (slots !== undefined) return slots;
  const syms = Object.getOwnPropertySymbols(socket);
  const find = (d: string): symbol | undefined => syms.find((s) => s.description === d);
  const kBuffer = find('kBuffer');
  const kBufferCb = find('kBufferCb');
  const kBufferGen = find('kBufferGen');
  slots = kBuffer && kBufferCb && kBufferGen ? { kBuffer, kBufferCb, kBufferGen } : null;
  return slots;
}

/**
 * Makes a paused, just-accepted socket read into `next()` (called before every read; it must
 * return a non-empty buffer) and report each read as `onRead(bytes)` instead of emitting 'data'.
 * pause()/resume(), 'end', 'error' and 'close' work as usual. Returns false (socket untouched)
 * when this Node does not support it.
 */
export function readIntoUserBuffers(socket: Socket, next: () => Buffer, onRead: (bytes: number) => void): boolean {
  if (process.env.EDDY_SOCKET_DATA_EVENTS === '1') return false;
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Uint8Array) => void } })._handle;
  const s = findSlots(socket);
  if (s === null || !handle || typeof handle.useUserBuffer !== 'function') return false;
  const target = socket as unknown as Record<symbol, unknown>;
  if (target[s.kBuffer] !== null || target[s.kBufferCb] !== null) return false;
  const first = next();
  target[s.kBuffer] = first;
  target[s.kBufferCb] = (n: number): boolean => {
    onRead(n);
    return true;
  };
  target[s.kBufferGen] = next;
  handle.useUserBuffer(first);
  return true;
}
