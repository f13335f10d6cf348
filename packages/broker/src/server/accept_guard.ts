// AcceptGuard: decides whether the listener may serve one more connection, by the descriptors the
// process has left.
//
// Why not just let accept fail: when accept() gets EMFILE, libuv accepts the connection with a
// descriptor of its own kept in reserve and closes it at once, so the client sees a silent close
// and Node only reports the error afterwards. Nothing can answer that client. So the listener
// stops serving before the limit is reached: once fewer than ACCEPT_RESERVE_DESCRIPTORS are free
// (beyond those closed storage segments may still reopen), each new connection is accepted
// anyway, its first request is answered with BrokerUnavailable and the reason, and it is closed
// (refused_connection.ts). Those answers use the reserve. Pausing the listener instead (the kernel
// queues connections until descriptors free up) was the alternative; Node has no public way to
// stop accepting short of close(), which unbinds the port, and clients would wait without being
// told why.
//
// If the wall is hit anyway (something else used the descriptors up), the guard holds one more
// descriptor of its own (on /dev/null): released when an accept fails, so that the next
// connection gets through to be refused with an answer; taken back once refused ones close.
//
// Counting open descriptors lists /proc/self/fd, too costly for every accept with thousands open:
// the guard counts again only when its estimate nears the threshold or its count is stale.
import { closeSync, openSync } from 'node:fs';
import { ACCEPT_RECOUNT_MARGIN, ACCEPT_RECOUNT_MS, ACCEPT_RESERVE_DESCRIPTORS } from '../defaults.ts';
import { openDescriptorCount } from '../util/descriptor_limit.ts';

export class AcceptGuard {
  /** The soft open-file limit; Infinity when unlimited or unknown (the guard then admits all). */
  readonly limit: number;
  /** Descriptors others may still claim (closed segments not yet reopened). */
  private readonly spare: () => number;
  private free = Infinity;
  private countedAt = -Infinity;
  private admittedSinceCount = 0;
  private reserveFd = -1;

  constructor(softLimit: number | null, spare: () => number) {
    this.limit = softLimit ?? Infinity;
    this.spare = spare;
    if (this.limit !== Infinity) this.takeReserve();
  }

  /** Free descriptors at or below which new connections are refused. */
  get threshold(): number {
    return ACCEPT_RESERVE_DESCRIPTORS + this.spare();
  }

  /** A connection was just accepted: false if it must be refused for lack of descriptors. */
  admit(): boolean {
    if (this.limit === Infinity) return true;
    const now = performance.now();
    const threshold = this.threshold;
    if (this.free - this.admittedSinceCount <= threshold + ACCEPT_RECOUNT_MARGIN || now - this.countedAt >= ACCEPT_RECOUNT_MS) {
      const open = openDescriptorCount();
      if (open < 0) return true;
      this.free = this.limit - open; // the socket just accepted included
      this.countedAt = now;
      this.admittedSinceCount = 0;
      if (this.free <= threshold) return false;
    }
    this.admittedSinceCount++;
    return true;
  }

  /** accept() failed with EMFILE: let the next one through (to be refused with an answer). */
  acceptFailed(): void {
    this.countedAt = -Infinity;
    if (this.reserveFd >= 0) {
      closeSync(this.reserveFd);
      this.reserveFd = -1;
    }
  }

  /** A connection closed: take the reserve back if it was given up. */
  connectionClosed(): void {
    if (this.reserveFd < 0 && this.limit !== Infinity) this.takeReserve();
  }

  close(): void {
    if (this.reserveFd >= 0) closeSync(this.reserveFd);
    this.reserveFd = -1;
  }

  private takeReserve(): void {
    try {
      this.reserveFd = openSync('/dev/null', 'r');
    } catch {
      this.reserveFd = -1; // still short: tried again at the next close
    }
  }
}
