import {
  createSession,
  mutate,
  type SessionInput,
  type SessionSnapshot,
  type TenantSessionStore,
} from '@greentic/session-core';
import { type OpContext, sessionError } from '@greentic/session-core/backend';
import type { SessionKey } from '@greentic/session-types';

/** What {@link createIfAbsent} needs to build a new session. */
export interface CreateIfAbsentOptions {
  /** `cursor.flowId` of a new session. */
  readonly flowId: string;
  /** `ttlSecs` of a new session. */
  readonly ttlSecs: number;
  /** `meta.userId` of a new session. */
  readonly userId: string | null;
  /** `meta.teamId` of a new session. */
  readonly teamId: string | null;
}

/**
 * Makes sure a live session exists under `key` without ever overwriting one
 * that another worker created concurrently: a blank session is written with
 * `updateCas(session, 0)`, the store's create-only-if-absent, which exactly
 * one of several racing writers wins (`put` is last-writer-wins and could
 * wipe a session, and a turn committed on it, created in between).
 *
 * @returns whether this call created the session
 * @throws SessionError `tenant_mismatch` when another tenant owns `key`
 */
export async function createIfAbsent(
  store: TenantSessionStore,
  key: SessionKey,
  opts: CreateIfAbsentOptions,
): Promise<boolean> {
  // The common case (it exists) costs a read and no write.
  if ((await store.get(key)) !== null) return false;
  const blank = createSession({
    key,
    tenantId: store.tenantId,
    flowId: opts.flowId,
    nodeId: 'main',
    ttlSecs: opts.ttlSecs,
    userId: opts.userId,
    teamId: opts.teamId,
  });
  return (await store.updateCas(blank, 0)).ok;
}

/**
 * Writes a session whatever its state, without ever losing a concurrent
 * create: an existing session gets `change` applied by `mutate` (get →
 * change → compare-and-set, retried); a missing one is created blank with
 * {@link createIfAbsent} first. This is the write of the storage-level
 * adapters, whose frameworks expect last-writer-wins with whole writes.
 *
 * @param change - the next session from the current one (may throw to refuse)
 * @throws SessionError `conflict` when the session kept disappearing, or
 *   `mutate` gave up; whatever `change` throws
 */
export async function writeSession(
  store: TenantSessionStore,
  key: SessionKey,
  change: (current: SessionSnapshot) => SessionInput,
  opts: Pick<CreateIfAbsentOptions, 'flowId' | 'ttlSecs'>,
  ctx: OpContext,
): Promise<void> {
  for (let round = 0; round <= 3; round++) {
    // Existing keys cost a get and an updateCas; a missing one is created first.
    if (round > 0) await createIfAbsent(store, key, { ...opts, userId: null, teamId: null });
    if ((await mutate(store, key, change)) !== null) return;
  }
  throw sessionError('conflict', ctx, `the session under ${JSON.stringify(key)} kept disappearing`);
}
