import type { Cas, SessionKey, StoredSession } from '@greentic/session-types';
import { describeValue, invalidInput, type OpContext, sessionError } from './context.js';
import type {
  SessionInput,
  SessionStore,
  TenantSessionStore,
  UpdateCasResult,
} from './session-store.js';
import { validateTenantId } from './validate.js';

const PKG = '@greentic/session-core';

function assertOwnTenant(session: SessionInput, tenantId: string, ctx: OpContext): void {
  if (typeof session !== 'object' || session === null) {
    throw invalidInput(ctx, `session must be an object, got ${describeValue(session)}`);
  }
  const owner = (session as { meta?: { tenantId?: unknown } }).meta?.tenantId;
  if (owner !== tenantId) {
    throw sessionError(
      'tenant_mismatch',
      ctx,
      `session.meta.tenantId ${describeValue(owner)} is not the fenced tenant ${JSON.stringify(tenantId)}`,
    );
  }
}

/**
 * Returns a view of `store` where every call is fenced to `tenantId`. Backends
 * implement `forTenant` with it.
 *
 * @throws SessionError `invalid_input` when `tenantId` is not a valid tenant id
 */
export function createTenantView(store: SessionStore, tenantId: string): TenantSessionStore {
  validateTenantId(tenantId, { pkg: PKG, op: 'forTenant' }, 'tenantId');
  const opts = Object.freeze({ tenantId });
  return Object.freeze({
    tenantId,
    get: (key: SessionKey): Promise<StoredSession | null> => store.get(key, opts),
    put: async (session: SessionInput): Promise<Cas> => {
      assertOwnTenant(session, tenantId, { pkg: PKG, op: 'put' });
      return store.put(session);
    },
    updateCas: async (session: SessionInput, expected: Cas): Promise<UpdateCasResult> => {
      assertOwnTenant(session, tenantId, { pkg: PKG, op: 'updateCas' });
      return store.updateCas(session, expected);
    },
    delete: (key: SessionKey): Promise<boolean> => store.delete(key, opts),
    touch: (key: SessionKey, ttlSecs?: number | null): Promise<boolean> =>
      store.touch(key, ttlSecs, opts),
  });
}
