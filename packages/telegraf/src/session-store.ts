import { dataStorage, readStorageOptions, type StorageOptions } from '@greentic/session-turn';

const PKG = '@greentic/session-telegraf';

/** Telegraf's `AsyncSessionStore<T>` shape (`session({ store })`). */
export interface TelegrafSessionStore<T> {
  /** Reads the value of a session key, or undefined. */
  get(name: string): Promise<T | undefined>;
  /** Writes the value of a session key (last writer wins). */
  set(name: string, value: T): Promise<void>;
  /** Deletes a session key. */
  delete(name: string): Promise<void>;
}

/** Options of {@link telegrafSessionStore}. `prefix` defaults to `'telegraf:'`. */
export type TelegrafSessionStoreOptions = StorageOptions;

/**
 * A Telegraf session store on a greentic-session store, for
 * `session({ store })`. The value lives in `session.data`.
 *
 * This only replaces the storage: Telegraf's `session()` reads at the start of
 * an update and writes at the end, so concurrent updates for one chat still
 * overwrite each other, and replies are already sent when the write happens.
 * Use {@link turnSession} for updates that must not be lost.
 *
 * @throws SessionError `invalid_input` for bad options, `tenant_mismatch`
 *   when `tenantId` is not the tenant of a given view
 */
export function telegrafSessionStore<T>(
  options: TelegrafSessionStoreOptions,
): TelegrafSessionStore<T> {
  const resolved = readStorageOptions(
    options,
    { pkg: PKG, op: 'telegrafSessionStore' },
    'telegraf:',
  );
  const data = dataStorage<T>(resolved, 'telegraf', PKG);
  return {
    get: (name) => data.read(name),
    set: (name, value) => data.write(name, value),
    delete: (name) => data.delete(name),
  };
}
