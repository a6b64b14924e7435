import {
  mutableJsonCopy,
  type SessionStore,
  type TenantSessionStore,
} from '@greentic/session-core';
import {
  describeValue,
  invalidInput,
  type OpContext,
  readInput,
  readOptions,
  sessionError,
  validateTenantId,
  validateTtlSecs,
} from '@greentic/session-core/backend';
import type { SessionSnapshot } from '@greentic/session-types';
import { writeSession } from './create-if-absent.js';

/** A tenant view and its tenant, read once. */
export interface TenantTarget {
  /** Where the tenant's sessions are read and written. */
  readonly view: TenantSessionStore;
  /** The view's tenant, as validated (a view's own `tenantId` is not read again). */
  readonly tenantId: string;
}

/**
 * The tenant view that a `store` option and an optional `tenantId` name, as
 * every adapter reads them: a `SessionStore` needs `tenantId` and is narrowed
 * with `forTenant`; a view (`store.forTenant(…)`) is used as it is, and a
 * `tenantId` given beside it must be the view's own tenant.
 *
 * @param store - the caller's `options.store`
 * @param tenantId - the caller's `options.tenantId`
 * @param ctx - operation context for errors
 * @returns the view and its tenant
 * @throws SessionError `invalid_input` for a missing or bad store or tenant
 *   (also a store whose `forTenant` does not return a view of that tenant),
 *   `tenant_mismatch` when `tenantId` is not the view's tenant
 */
export function tenantViewOf(store: unknown, tenantId: unknown, ctx: OpContext): TenantTarget {
  // A Proxy store or view could throw from any of these reads: that is bad
  // input, not a crash. A view's tenant is read once, here.
  const found = readInput(ctx, 'options.store', () => {
    if (!isStoreLike(store)) return undefined;
    if (typeof (store as Partial<SessionStore>).forTenant !== 'function') {
      return { kind: 'view' as const, tenant: (store as TenantSessionStore).tenantId as unknown };
    }
    return { kind: 'store' as const, tenant: undefined };
  });
  if (found === undefined) {
    throw invalidInput(ctx, `options.store must be a SessionStore, got ${describeValue(store)}`);
  }
  if (found.kind === 'store') {
    if (tenantId === undefined) {
      throw invalidInput(ctx, 'options.tenantId is required with a SessionStore (or pass a view)');
    }
    const tenant = validateTenantId(tenantId, ctx, 'options.tenantId');
    const view = readInput(ctx, 'options.store', () => {
      const v: unknown = (store as SessionStore).forTenant(tenant);
      return isStoreLike(v) && (v as TenantSessionStore).tenantId === tenant ? v : undefined;
    });
    if (view === undefined) {
      throw invalidInput(ctx, `options.store.forTenant(${JSON.stringify(tenant)}) is not its view`);
    }
    return { view: view as TenantSessionStore, tenantId: tenant };
  }
  const own = validateTenantId(found.tenant, ctx, "the view's tenantId");
  if (tenantId !== undefined) {
    const tenant = validateTenantId(tenantId, ctx, 'options.tenantId');
    if (tenant !== own) {
      throw sessionError(
        'tenant_mismatch',
        ctx,
        `options.tenantId ${JSON.stringify(tenant)} differs from the view's tenant`,
      );
    }
  }
  return { view: store as TenantSessionStore, tenantId: own };
}

/** Has the calls every adapter makes (throws from a hostile Proxy: read it in `readInput`). */
function isStoreLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<TenantSessionStore>;
  return (
    typeof s.get === 'function' &&
    typeof s.updateCas === 'function' &&
    typeof s.delete === 'function'
  );
}

/** Options shared by the storage-level adapters (a framework's own session API). */
export interface StorageOptions {
  /** The store, or a tenant view of it. */
  store: SessionStore | TenantSessionStore;
  /** Tenant that owns the sessions; required with a plain store, must match a view's tenant. */
  tenantId?: string;
  /** `ttlSecs` written with every write; 0 = never expires. @default 0 */
  ttlSecs?: number;
  /** Prefix of the store key before the framework's session key. */
  prefix?: string;
}

/** {@link StorageOptions} read and validated. */
export interface ResolvedStorageOptions {
  /** Where the sessions live. */
  readonly view: TenantSessionStore;
  /** `ttlSecs` of every write. */
  readonly ttlSecs: number;
  /** Prefix of every store key. */
  readonly prefix: string;
  /** Every option as read (once), the adapter's own (named in `extraNames`) among them. */
  readonly extra: Readonly<Record<string, unknown>>;
}

const STORAGE_OPTION_NAMES = ['store', 'tenantId', 'ttlSecs', 'prefix'] as const;

/**
 * Reads a storage adapter's options: a plain object whose every option is
 * read exactly once (a getter or Proxy cannot hand validation one value and
 * the adapter another), then validated.
 *
 * @param options - the caller's options
 * @param ctx - operation context for errors
 * @param defaultPrefix - the adapter's default key prefix
 * @param extraNames - the adapter's own further options, returned in `extra`
 * @throws SessionError `invalid_input` for bad options, `tenant_mismatch`
 *   when `tenantId` is not the tenant of a given view
 */
export function readStorageOptions(
  options: unknown,
  ctx: OpContext,
  defaultPrefix: string,
  extraNames: readonly string[] = [],
): ResolvedStorageOptions {
  const o = readOptions(options, [...STORAGE_OPTION_NAMES, ...extraNames], ctx, 'options');
  const prefix = o.prefix ?? defaultPrefix;
  if (typeof prefix !== 'string') {
    throw invalidInput(ctx, `options.prefix must be a string, got ${describeValue(prefix)}`);
  }
  const ttlSecs = o.ttlSecs === undefined ? 0 : validateTtlSecs(o.ttlSecs, ctx, 'options.ttlSecs');
  const { view } = tenantViewOf(o.store, o.tenantId, ctx);
  return { view, ttlSecs, prefix, extra: o };
}

/** Key-value access to the JSON value in `session.data`, last writer wins. */
export interface DataStorage<T> {
  /** A mutable copy of the value under `key`, or undefined. */
  read(key: string): Promise<T | undefined>;
  /** Writes the value under `key` whole (creating the session when missing). */
  write(key: string, value: T | undefined): Promise<void>;
  /** Deletes the session under `key`. */
  delete(key: string): Promise<void>;
  /** Whether a session is stored under `key`. */
  has(key: string): Promise<boolean>;
}

/**
 * The storage behind the grammY and Telegraf storage adapters: each key is a
 * session (`prefix + key`) whose `data` holds the framework's value. Reads
 * hand out a mutable copy (frameworks mutate what they read; stores hand out
 * frozen snapshots). A write keeps the session whole and never loses a
 * concurrent create, but is last-writer-wins on the value, as these
 * frameworks expect of a storage.
 *
 * @param options - from {@link readStorageOptions}
 * @param flowId - `cursor.flowId` of a session a write creates
 * @param pkg - package named in errors
 */
export function dataStorage<T>(
  options: ResolvedStorageOptions,
  flowId: string,
  pkg: string,
): DataStorage<T> {
  const { view, ttlSecs, prefix } = options;
  const readCtx: OpContext = { pkg, op: 'read' };
  const writeCtx: OpContext = { pkg, op: 'write' };
  const deleteCtx: OpContext = { pkg, op: 'delete' };
  // A key that is no string could run its own toString in `prefix + key`.
  const storeKey = (key: unknown, c: OpContext): string => {
    if (typeof key !== 'string')
      throw invalidInput(c, `key must be a string, got ${describeValue(key)}`);
    return prefix + key;
  };
  const withData = (s: SessionSnapshot, value: T | undefined) => {
    const { data: _old, ...base } = s;
    return { ...base, ttlSecs, ...(value === undefined ? {} : { data: value }) } as SessionSnapshot;
  };
  return {
    async read(key) {
      const data = (await view.get(storeKey(key, readCtx)))?.session.data;
      return data === undefined ? undefined : (mutableJsonCopy(data, readCtx) as T);
    },
    async write(key, value) {
      await writeSession(
        view,
        storeKey(key, writeCtx),
        (s) => withData(s, value),
        { flowId, ttlSecs },
        writeCtx,
      );
    },
    async delete(key) {
      await view.delete(storeKey(key, deleteCtx));
    },
    async has(key) {
      return (await view.get(storeKey(key, readCtx))) !== null;
    },
  };
}
