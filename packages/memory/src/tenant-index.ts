import type { SessionKey } from '@greentic/session-types';

interface TenantKeys {
  readonly keys: Set<SessionKey>;
  /** The keys in ascending order, built on demand; dropped on every change. */
  sorted: SessionKey[] | undefined;
}

/**
 * Which keys each tenant owns, kept beside the store's map so listing, counting
 * and purging a tenant cost time in proportion to that tenant's sessions, not
 * to the store. The store adds a key when it creates an entry and removes it
 * on every eviction (delete, expiry, sweep), so the index holds exactly the
 * keys of the map, expired-but-not-yet-evicted ones included (callers check
 * expiry on the entry, as every read does).
 */
export class TenantIndex {
  readonly #tenants = new Map<string, TenantKeys>();

  /** Records that `tenantId` owns `key` (a new entry of the store). */
  add(tenantId: string, key: SessionKey): void {
    let t = this.#tenants.get(tenantId);
    if (t === undefined) {
      t = { keys: new Set(), sorted: undefined };
      this.#tenants.set(tenantId, t);
    }
    t.keys.add(key);
    t.sorted = undefined;
  }

  /** Forgets `key` of `tenantId` (the store evicted its entry). */
  remove(tenantId: string, key: SessionKey): void {
    const t = this.#tenants.get(tenantId);
    if (t === undefined || !t.keys.delete(key)) return;
    if (t.keys.size === 0) this.#tenants.delete(tenantId);
    else t.sorted = undefined;
  }

  /** Number of keys `tenantId` owns (expired ones not yet evicted included). */
  size(tenantId: string): number {
    return this.#tenants.get(tenantId)?.keys.size ?? 0;
  }

  /** A copy of the tenant's keys, in no particular order. */
  keys(tenantId: string): SessionKey[] {
    const t = this.#tenants.get(tenantId);
    return t === undefined ? [] : [...t.keys];
  }

  /**
   * The tenant's keys in ascending order (code unit order), from the first
   * one greater than `after` (all when `after` is null). The array is shared
   * until the next change of the tenant: do not modify it.
   *
   * @returns the sorted keys and the index to start at
   */
  sortedAfter(
    tenantId: string,
    after: SessionKey | null,
  ): { keys: readonly SessionKey[]; start: number } {
    const t = this.#tenants.get(tenantId);
    if (t === undefined) return { keys: [], start: 0 };
    t.sorted ??= [...t.keys].sort(compareKeys);
    const keys = t.sorted;
    if (after === null) return { keys, start: 0 };
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as SessionKey) <= after) lo = mid + 1;
      else hi = mid;
    }
    return { keys, start: lo };
  }

  /** Forgets everything. */
  clear(): void {
    this.#tenants.clear();
  }
}

function compareKeys(a: SessionKey, b: SessionKey): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
