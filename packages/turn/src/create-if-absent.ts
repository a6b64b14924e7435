import { createSession, sha256Hex, type TenantSessionStore } from '@greentic/session-core';
import { type OpContext, sessionError } from '@greentic/session-core/backend';
import type { SessionKey } from '@greentic/session-types';

/** What {@link createIfAbsent} needs to build and guard a new session. */
export interface CreateIfAbsentOptions {
  /** `cursor.flowId` of a new session. */
  readonly flowId: string;
  /** `ttlSecs` of a new session. */
  readonly ttlSecs: number;
  /** Lifetime of the creation lease in seconds. */
  readonly leaseSecs: number;
  /** Most lease attempts before giving up with `conflict`. */
  readonly maxAttempts: number;
  /** Backoff before attempt `n` (n ≥ 2), in ms. */
  readonly backoffMs: (attempt: number) => number;
  /** `meta.userId` of a new session. */
  readonly userId: string | null;
  /** `meta.teamId` of a new session. */
  readonly teamId: string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Key of the creation lease of `key` for a tenant: fixed length, any key length fits. */
export function leaseKey(tenantId: string, key: SessionKey): SessionKey {
  return `greentic-turn-lease:${sha256Hex(`${tenantId}\u0000${key}`)}`;
}

/**
 * Makes sure a live session exists under `key` without ever overwriting one
 * that another worker created concurrently.
 *
 * `put` is last-writer-wins, so "get returned null, then put" can wipe a
 * session (and a turn committed on it) that a racing worker created in
 * between. The store has no insert-if-absent, but `put` does tell each writer
 * whether the key was new: it returns 1 to exactly one of the writers racing
 * on an absent key. So workers race with `put` on a separate lease key,
 * where being overwritten is harmless: only the winner (cas 1) re-reads the
 * session key and, if it is still absent, writes a blank session; then it
 * deletes the lease. Losers back off and read again. The lease expires after
 * `leaseSecs`, so a worker that dies holding it delays creation by at most
 * that long; a winner stalled longer than `leaseSecs` between its re-read and
 * its `put` (a multi-second pause of the process) is the one remaining way to
 * overwrite, as with any lease without a fencing token.
 *
 * @returns whether this call created the session
 * @throws SessionError `conflict` when the lease stayed taken for `maxAttempts` attempts;
 *   `tenant_mismatch` when another tenant owns `key`
 */
export async function createIfAbsent(
  store: TenantSessionStore,
  key: SessionKey,
  opts: CreateIfAbsentOptions,
  ctx: OpContext,
): Promise<boolean> {
  const lease = leaseKey(store.tenantId, key);
  for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
    if (attempt > 1) await sleep(opts.backoffMs(attempt));
    if ((await store.get(key)) !== null) return false;
    const won =
      (await store.put(
        createSession({
          key: lease,
          tenantId: store.tenantId,
          flowId: 'greentic-turn-lease',
          nodeId: 'create',
          ttlSecs: opts.leaseSecs,
        }),
      )) === 1;
    if (!won) continue;
    try {
      if ((await store.get(key)) !== null) return false;
      await store.put(
        createSession({
          key,
          tenantId: store.tenantId,
          flowId: opts.flowId,
          nodeId: 'main',
          ttlSecs: opts.ttlSecs,
          userId: opts.userId,
          teamId: opts.teamId,
        }),
      );
      return true;
    } finally {
      await store.delete(lease);
    }
  }
  throw sessionError(
    'conflict',
    ctx,
    `could not create the session under key ${JSON.stringify(key)}: its creation lease stayed taken for ${opts.maxAttempts} attempts`,
  );
}
