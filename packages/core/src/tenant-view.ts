import type { Cas, SessionKey, StoredSession } from '@greentic/session-types';
import type {
  SessionInput,
  SessionStore,
  TenantSessionStore,
  UpdateCasResult,
} from './session-store.js';
import { observerOf, STORE_OBSERVER } from './store-observer.js';
import { validateTenantId } from './validate.js';

const PKG = '@greentic/session-core';

/**
 * Returns a view of `store` where every call is fenced to `tenantId`. Backends
 * implement `forTenant` with it.
 *
 * The view never reads the sessions it is given: it passes `{ tenantId }` to
 * the store's fenced `put`/`updateCas`, which validate the session once and
 * check the fence on that copy. (Checking `session.meta.tenantId` here and
 * letting the store read it again would let a getter or Proxy answer this
 * tenant to the check and another tenant's data to the write.)
 *
 * @throws SessionError `invalid_input` when `tenantId` is not a valid tenant id
 */
export function createTenantView(store: SessionStore, tenantId: string): TenantSessionStore {
  validateTenantId(tenantId, { pkg: PKG, op: 'forTenant' }, 'tenantId');
  const opts = Object.freeze({ tenantId });
  return Object.freeze({
    tenantId,
    // Hooks and telemetry of the store: `mutate` and the turn runner find them here.
    [STORE_OBSERVER]: observerOf(store),
    get: (key: SessionKey): Promise<StoredSession | null> => store.get(key, opts),
    put: (session: SessionInput): Promise<Cas> => store.put(session, opts),
    updateCas: (session: SessionInput, expected: Cas): Promise<UpdateCasResult> =>
      store.updateCas(session, expected, opts),
    delete: (key: SessionKey): Promise<boolean> => store.delete(key, opts),
    touch: (key: SessionKey, ttlSecs?: number | null): Promise<boolean> =>
      store.touch(key, ttlSecs, opts),
  });
}
