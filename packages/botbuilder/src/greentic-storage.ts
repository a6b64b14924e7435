import { mutableJsonCopy, type TenantSessionStore } from '@greentic/session-core';
import {
  describeValue,
  frozenJsonCopy,
  invalidInput,
  type OpContext,
  readInput,
  sessionError,
} from '@greentic/session-core/backend';
import { readStorageOptions, type StorageOptions, writeSession } from '@greentic/session-turn';
import type { JsonValue, SessionSnapshot } from '@greentic/session-types';
import type { Storage, StoreItems } from 'botbuilder-core';

const ctx = (op: string): OpContext => ({ pkg: '@greentic/session-botbuilder', op });

/** Options of {@link GreenticStorage}. `prefix` defaults to `'botbuilder:'`. */
export interface GreenticStorageOptions extends StorageOptions {
  /**
   * What a write without an eTag, or with `'*'`, does: `'overwrite'` (the
   * `Storage` contract; last writer wins) or `'reject'` (throw
   * `SessionError('conflict')` unless the key is new, so only eTag'd writes
   * change existing items). @default 'overwrite'
   */
  unconditionalWrites?: 'overwrite' | 'reject';
}

/**
 * A Bot Framework `Storage` on a greentic-session store. Items live in
 * `session.data`; `read` returns each with `eTag` = `<session id>:<cas>`, and a
 * `write` carrying such an eTag is a compare-and-set: it throws
 * `SessionError('conflict')` and writes nothing when the item changed (or was
 * deleted and recreated) since that read.
 *
 * `BotState.saveChanges` (ConversationState, UserState) always writes with
 * eTag `'*'`, so with BotState concurrent turns still overwrite each other:
 * use {@link createBotTurnHandler} for state that must not lose updates, or
 * `unconditionalWrites: 'reject'` to turn those blind writes into errors.
 */
export class GreenticStorage implements Storage {
  readonly #view: TenantSessionStore;
  readonly #ttlSecs: number;
  readonly #prefix: string;
  readonly #reject: boolean;

  /**
   * @param options - store, tenant, ttl, prefix, unconditional writes
   * @throws SessionError `invalid_input` for bad options
   */
  constructor(options: GreenticStorageOptions) {
    const c = ctx('GreenticStorage');
    const { view, ttlSecs, prefix, extra } = readStorageOptions(options, c, 'botbuilder:', [
      'unconditionalWrites',
    ]);
    const unconditionalWrites = extra.unconditionalWrites ?? 'overwrite';
    if (unconditionalWrites !== 'overwrite' && unconditionalWrites !== 'reject') {
      throw invalidInput(c, "options.unconditionalWrites must be 'overwrite' or 'reject'");
    }
    this.#view = view;
    this.#ttlSecs = ttlSecs;
    this.#prefix = prefix;
    this.#reject = unconditionalWrites === 'reject';
  }

  /** Reads items; each carries `eTag` `<session id>:<cas>`. Missing keys are left out. */
  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of storageKeys(keys, ctx('read'))) {
      const got = await this.#view.get(this.#prefix + key);
      const data = got?.session.data;
      if (got === null || typeof data !== 'object' || data === null || Array.isArray(data))
        continue;
      const item = mutableJsonCopy(data, ctx('read')) as Record<string, unknown>;
      item.eTag = `${got.session.id}:${got.cas}`;
      // `items[key] = item` with key '__proto__' would set the prototype instead.
      Object.defineProperty(items, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return items;
  }

  /**
   * Writes items: with an eTag from {@link read}, a compare-and-set; without
   * one or with `'*'`, see `unconditionalWrites`.
   *
   * @throws SessionError `conflict` when an eTag no longer matches (nothing of that item is written)
   */
  async write(changes: StoreItems): Promise<void> {
    const c = ctx('write');
    // Read whole, every nested value included, before anything is written: a
    // getter, Proxy or non-JSON value cannot fail halfway. (The store's size
    // limits and the eTags are still checked item by item, as any Storage does.)
    const writes = readInput(c, 'changes', () => {
      if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
        throw invalidInput(c, `changes must be an object, got ${describeValue(changes)}`);
      }
      return Object.entries(changes).map(([key, item]) => {
        const at = `changes[${describeValue(key)}]`;
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          throw invalidInput(c, `${at} must be an object`);
        }
        const { eTag, ...rest } = item as { eTag?: unknown };
        const value = frozenJsonCopy(rest, at, c) as Record<string, JsonValue>;
        return { key: this.#prefix + key, eTag, value };
      });
    });
    for (const { key, eTag, value } of writes) {
      if (typeof eTag === 'string' && eTag !== '*') await this.#writeIfMatch(key, eTag, value);
      else await this.#writeUnconditionally(key, value);
    }
  }

  /** Deletes items. */
  async delete(keys: string[]): Promise<void> {
    for (const key of storageKeys(keys, ctx('delete'))) {
      await this.#view.delete(this.#prefix + key);
    }
  }

  #withData(s: SessionSnapshot, value: JsonValue): SessionSnapshot {
    return { ...s, ttlSecs: this.#ttlSecs, data: value } as SessionSnapshot;
  }

  async #writeIfMatch(k: string, eTag: string, value: JsonValue): Promise<void> {
    const c = ctx('write');
    const sep = eTag.lastIndexOf(':');
    const id = eTag.slice(0, sep);
    const cas = Number(eTag.slice(sep + 1));
    const current = await this.#view.get(k);
    if (current === null || current.session.id !== id || current.cas !== cas) {
      throw sessionError('conflict', c, `eTag conflict writing ${describeValue(k)}`);
    }
    const r = await this.#view.updateCas(this.#withData(current.session, value), cas);
    if (!r.ok) throw sessionError('conflict', c, `eTag conflict writing ${describeValue(k)}`);
  }

  async #writeUnconditionally(k: string, value: JsonValue): Promise<void> {
    const c = ctx('write');
    await writeSession(
      this.#view,
      k,
      (s) => {
        // Checked on the very snapshot the compare-and-set replaces.
        if (this.#reject && s.data !== undefined) {
          throw sessionError(
            'conflict',
            c,
            `refusing a write without an eTag (or '*') over the existing item ${describeValue(k)}`,
          );
        }
        return this.#withData(s, value);
      },
      { flowId: 'botbuilder', ttlSecs: this.#ttlSecs },
      c,
    );
  }
}

/** The keys of a `read` or `delete`: an array of strings, copied once. */
function storageKeys(keys: unknown, c: OpContext): string[] {
  return readInput(c, 'keys', () => {
    if (!Array.isArray(keys))
      throw invalidInput(c, `keys must be an array, got ${describeValue(keys)}`);
    const copy = Array.from(keys as unknown[]);
    for (const [i, key] of copy.entries()) {
      if (typeof key !== 'string') {
        throw invalidInput(c, `keys[${i}] must be a string, got ${describeValue(key)}`);
      }
    }
    return copy as string[];
  });
}
