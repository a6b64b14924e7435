import type { SessionStore, TenantOptions } from '@greentic/session-core';
import { SessionError, type SessionErrorCode, type StoredSession } from '@greentic/session-types';
import { expect } from 'vitest';

/** Awaits `promise` and asserts it rejected with a SessionError of `code` whose message contains `text`. */
export async function expectSessionError(
  promise: Promise<unknown>,
  code: SessionErrorCode,
  text?: string,
): Promise<SessionError> {
  const err = await promise.then(
    (value) => {
      throw new Error(`expected a SessionError '${code}', got the result ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  if (!SessionError.isInstance(err)) throw err;
  expect(err.code, err.message).toBe(code);
  if (text !== undefined) expect(err.message).toContain(text);
  return err;
}

/** Asserts that every object reachable from `value` is frozen. */
export function expectDeeplyFrozen(value: unknown, path = 'value'): void {
  if (typeof value !== 'object' || value === null) return;
  expect(Object.isFrozen(value), `${path} is frozen`).toBe(true);
  for (const [k, v] of Object.entries(value)) expectDeeplyFrozen(v, `${path}.${k}`);
}

/**
 * Reads `key` and asserts a live session is there, so later comparisons never
 * compare an expected value with itself (`got?.x ?? expected`).
 */
export async function expectStored(
  store: Pick<SessionStore, 'get'>,
  key: string,
  opts?: TenantOptions,
): Promise<StoredSession> {
  const got = await store.get(key, opts);
  expect(got, `a live session under ${key}`).not.toBeNull();
  return got as StoredSession;
}
