import type { Etcd3, Lease } from 'etcd3';
import type { EtcdFence } from './etcd_metadata_store.ts';

/** Default lease TTL: how long a killed active controller keeps the standby waiting. */
export const DEFAULT_LEADER_TTL_SECONDS = 3;

export interface LeaderElectionOptions {
  /** The single key whose holder is the active controller (e.g. '/eddy/.controller'). */
  key: string;
  /** Who we are, stored in the key for the others to name (e.g. 'host:port pid N'). */
  value: string;
  ttlSeconds?: number;
  /** Called each time another holder keeps us waiting, with its value. */
  onWaiting?: (holder: string) => void;
}

/** Held leadership: `lost` resolves when the lease could not be kept alive (etcd unreachable past its TTL). */
export interface Leadership {
  readonly fence: EtcdFence;
  readonly lost: Promise<Error>;
  /** Gives leadership up at once (revokes the lease), so a standby need not wait for the TTL. */
  resign(): Promise<void>;
  /**
   * Replaces the value stored in the key (e.g. once the listener's port is known), on the same
   * lease; a no-op if the key is no longer ours.
   */
  announce(value: string): Promise<void>;
}

/**
 * Active/standby by an etcd lease and a compare-create key: whoever creates `key` (attached to
 * its lease) is active until its lease ends (resign, or expiry once its process stops keeping it
 * alive); the others watch the key and try again when it is deleted. etcd decides; there is no
 * consensus code here. Resolves once this process holds the key.
 */
export async function campaignForLeadership(client: Etcd3, opts: LeaderElectionOptions): Promise<Leadership> {
  const lease = client.lease(opts.ttlSeconds ?? DEFAULT_LEADER_TTL_SECONDS);
  let lostError: Error | null = null;
  let onLost: ((err: Error) => void) | null = null;
  const lost = new Promise<Error>((resolve) => { onLost = resolve; });
  lease.on('lost', (err: Error) => {
    lostError ??= err;
    onLost?.(err);
  });
  try {
    const leaseId = await lease.grant();
    for (;;) {
      if (lostError) throw lostError;
      const res = await client.if(opts.key, 'Create', '==', 0)
        .then(client.put(opts.key).value(opts.value).lease(leaseId))
        .else(client.get(opts.key))
        .commit();
      if (res.succeeded) {
        const createRevision = res.header.revision;
        // Guarded on the key's creation: a put after losing it would hand us a key we do not hold.
        const announce = async (value: string): Promise<void> => {
          await client.if(opts.key, 'Create', '==', createRevision)
            .then(client.put(opts.key).value(value).lease(leaseId))
            .commit();
        };
        return { fence: { key: opts.key, createRevision }, lost, resign: () => revoke(lease), announce };
      }
      const holder = res.responses[0]?.response_range?.kvs[0];
      opts.onWaiting?.(holder ? holder.value.toString() : '(unknown)');
      await untilDeleted(client, opts.key, (BigInt(res.header.revision) + 1n).toString(), lost);
    }
  } catch (err) {
    await revoke(lease);
    throw err;
  }
}

async function revoke(lease: Lease): Promise<void> {
  await lease.revoke().catch(() => {});
}

/** Waits for `key` to be deleted at or after `fromRevision` (or for our own lease to be lost). */
async function untilDeleted(client: Etcd3, key: string, fromRevision: string, lost: Promise<Error>): Promise<void> {
  const watcher = await client.watch().key(key).startRevision(fromRevision).create();
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        watcher.on('delete', () => resolve());
        watcher.on('error', reject);
      }),
      lost.then((err) => { throw err; }),
    ]);
  } finally {
    await watcher.cancel().catch(() => {});
  }
}
