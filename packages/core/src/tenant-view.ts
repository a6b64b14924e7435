import type { Cas, SessionKey, StoredSession } from '@greentic/session-types';
import { sessionError } from './context.js';
import { hasSessionAdmin, type SessionAdmin } from './session-admin.js';
import type {
  SessionInput,
  SessionStore,
  TenantSessionStore,
  UpdateCasResult,
} from './session-store.js';
import { observerOf, STORE_OBSERVER } from './store-observer.js';
import { readOptions, validateTenantId } from './validate.js';

const PKG = '@greentic/session-core';

/**
 * Returns a view of `store` where every call is fenced to `tenantId`. Backends
 * implement `forTenant` with it. When the store implements {@link SessionAdmin},
 * the view offers its calls too (check with `hasSessionAdmin(view)`), and
 * they refuse any `opts.tenantId` but the view's with `tenant_mismatch`.
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
  const admin = hasSessionAdmin(store) ? fencedAdmin(store, tenantId) : {};
  return Object.freeze({
    ...admin,
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

const ADMIN_OPTIONS = [
  'tenantId',
  'userId',
  'teamId',
  'cursor',
  'limit',
  'onProgress',
  'signal',
  'dryRun',
] as const;

/**
 * The operator calls of a store, fenced to one tenant: `opts.tenantId` must
 * be the view's tenant (`tenant_mismatch` otherwise). Options are read once
 * here and the copy is what the store validates.
 */
function fencedAdmin(store: SessionAdmin, tenantId: string): SessionAdmin {
  const fenced = <O>(op: string, opts: unknown): O => {
    const ctx = { pkg: PKG, op };
    const o = readOptions(opts, ADMIN_OPTIONS, ctx);
    if (o.tenantId !== tenantId) {
      throw sessionError(
        'tenant_mismatch',
        ctx,
        `opts.tenantId must be the view's tenant ${JSON.stringify(tenantId)}`,
      );
    }
    const copy: Record<string, unknown> = {};
    for (const k of Object.keys(o)) copy[k] = o[k];
    return copy as O;
  };
  return {
    listSessions: async (o) => store.listSessions(fenced('listSessions', o)),
    countSessions: async (o) => store.countSessions(fenced('countSessions', o)),
    purgeSessions: async (o) => store.purgeSessions(fenced('purgeSessions', o)),
  };
}
