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

const ctx = (op: string): OpContext => ({ pkg: '@greentic/session-telegraf', op });

/** Telegraf's `AsyncSessionStore<T>` shape (`session({ store })`). */
export interface TelegrafSessionStore<T> {
  /** Reads the value of a session key, or undefined. */
  get(name: string): Promise<T | undefined>;
  /** Writes the value of a session key (last writer wins). */
  set(name: string, value: T): Promise<void>;
  /** Deletes a session key. */
  delete(name: string): Promise<void>;
}

/** Options of {@link telegrafSessionStore}. */
export interface TelegrafSessionStoreOptions {
  /** The store, or a tenant view of it. */
  store: SessionStore | TenantSessionStore;
  /** Tenant that owns the sessions; required with a plain store. */
  tenantId?: string;
  /** `ttlSecs` written with every write; 0 = never expires. @default 0 */
  ttlSecs?: number;
  /** Prefix of the store key before Telegraf's session key. @default 'telegraf:' */
  prefix?: string;
}

/**
 * A Telegraf session store on a greentic-session store, for
 * `session({ store })`. The value lives in `session.data`.
 *
 * This only replaces the storage: Telegraf's `session()` reads at the start of
 * an update and writes at the end, so concurrent updates for one chat still
 * overwrite each other, and replies are already sent when the write happens.
 * Use {@link turnSession} for updates that must not be lost.
 *
 * @throws SessionError `invalid_input` for bad options
 */
export function telegrafSessionStore<T>(
  options: TelegrafSessionStoreOptions,
): TelegrafSessionStore<T> {
  const c = ctx('telegrafSessionStore');
  if (typeof options !== 'object' || options === null) {
    throw invalidInput(c, `options must be an object, got ${describeValue(options)}`);
  }
  const { store, tenantId, ttlSecs = 0, prefix = 'telegraf:', ...rest } = options;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw invalidInput(c, `options.${extra} is not a known option`);
  if (typeof store !== 'object' || store === null || typeof store.get !== 'function') {
    throw invalidInput(c, `options.store must be a SessionStore, got ${describeValue(store)}`);
  }
  if (typeof prefix !== 'string') throw invalidInput(c, 'options.prefix must be a string');
  validateTtlSecs(ttlSecs, c, 'options.ttlSecs');
  const view: TenantSessionStore =
    'forTenant' in store
      ? store.forTenant(validateTenantId(tenantId, c, 'options.tenantId'))
      : store;

  const withData = (s: SessionSnapshot, value: T) => {
    const { data: _old, ...base } = s;
    return { ...base, ttlSecs, data: value } as SessionSnapshot;
  };

  return {
    async get(name) {
      const data = (await view.get(prefix + name))?.session.data;
      // Telegraf mutates what it reads; stores hand out frozen snapshots.
      return data === undefined ? undefined : (mutableJsonCopy(data, ctx('get')) as T);
    },
    async set(name, value) {
      await writeSession(
        view,
        prefix + name,
        (s) => withData(s, value),
        { flowId: 'telegraf', ttlSecs },
        ctx('set'),
      );
    },
    async delete(name) {
      await view.delete(prefix + name);
    },
  };
}
