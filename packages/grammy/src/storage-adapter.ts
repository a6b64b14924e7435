import { dataStorage, readStorageOptions, type StorageOptions } from '@greentic/session-turn';
import type { StorageAdapter } from 'grammy';

const PKG = '@greentic/session-grammy';

/** Options of {@link sessionStorage}. `prefix` defaults to `'grammy:'`. */
export type SessionStorageOptions = StorageOptions;

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
 * @throws SessionError `invalid_input` for bad options, `tenant_mismatch`
 *   when `tenantId` is not the tenant of a given view
 */
export function sessionStorage<T>(options: SessionStorageOptions): StorageAdapter<T> {
  const resolved = readStorageOptions(options, { pkg: PKG, op: 'sessionStorage' }, 'grammy:');
  const data = dataStorage<T>(resolved, 'grammy', PKG);
  return {
    read: (key) => data.read(key),
    // Last writer wins, as grammY expects of a storage; cas only keeps each write whole.
    write: (key, value) => data.write(key, value),
    delete: (key) => data.delete(key),
    has: (key) => data.has(key),
  };
}
