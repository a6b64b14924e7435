import {
  mutableJsonCopy,
  type SessionStore,
  type TenantSessionStore,
} from '@greentic/session-core';
import {
  describeValue,
  invalidInput,
  type OpContext,
  validateTenantId,
  validateTtlSecs,
} from '@greentic/session-core/backend';
import { writeSession } from '@greentic/session-turn';
import type { SessionSnapshot } from '@greentic/session-types';
import type { StorageAdapter } from 'grammy';

const ctx = (op: string): OpContext => ({ pkg: '@greentic/session-grammy', op });

/** Options of {@link sessionStorage}. */
export interface SessionStorageOptions {
  /** The store, or a tenant view of it. */
  store: SessionStore | TenantSessionStore;
  /** Tenant that owns the sessions; required with a plain store. */
  tenantId?: string;
  /** `ttlSecs` written with every write; 0 = never expires. @default 0 */
  ttlSecs?: number;
  /** Prefix of the store key before grammY's session key. @default 'grammy:' */
  prefix?: string;
}

/**
 * A grammY `StorageAdapter` on a greentic-session store, for
 * `session({ storage })`. The value lives in `session.data`.
 *
 * This only replaces the storage: grammY's `session()` reads at the start of
 * an update and writes at the end, so two updates for one chat handled at the
 * same time (two bot instances, or a concurrent runner) still overwrite each
 * other, and replies are already sent when the write happens. Use
 * {@link turnSession} for updates that must not be lost.
 *
 * @throws SessionError `invalid_input` for bad options
 */
export function sessionStorage<T>(options: SessionStorageOptions): StorageAdapter<T> {
  const c = ctx('sessionStorage');
  if (typeof options !== 'object' || options === null) {
    throw invalidInput(c, `options must be an object, got ${describeValue(options)}`);
  }
  const { store, tenantId, ttlSecs = 0, prefix = 'grammy:', ...rest } = options;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw invalidInput(c, `options.${extra} is not a known option`);
  if (typeof store !== 'object' || store === null || typeof store.get !== 'function') {
    throw invalidInput(c, `options.store must be a SessionStore, got ${describeValue(store)}`);
  }
  if (typeof prefix !== 'string') throw invalidInput(c, 'options.prefix must be a string');
  validateTtlSecs(ttlSecs, c, 'options.ttlSecs');
  let view: TenantSessionStore;
  if ('forTenant' in store) {
    view = store.forTenant(validateTenantId(tenantId, c, 'options.tenantId'));
  } else {
    view = store;
  }

  const withData = (s: SessionSnapshot, value: T | undefined) => {
    const { data: _old, ...base } = s;
    return { ...base, ttlSecs, ...(value === undefined ? {} : { data: value }) } as SessionSnapshot;
  };

  return {
    async read(key) {
      const got = await view.get(prefix + key);
      const data = got?.session.data;
      // grammY mutates what it reads; stores hand out frozen snapshots.
      return data === undefined ? undefined : (mutableJsonCopy(data, ctx('read')) as T);
    },
    async write(key, value) {
      // Last writer wins, as grammY expects of a storage; cas only keeps each write whole.
      await writeSession(
        view,
        prefix + key,
        (s) => withData(s, value),
        { flowId: 'grammy', ttlSecs },
        ctx('write'),
      );
    },
    async delete(key) {
      await view.delete(prefix + key);
    },
    async has(key) {
      return (await view.get(prefix + key)) !== null;
    },
  };
}
