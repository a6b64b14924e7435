import {
  mutableJsonCopy,
  type SessionStore,
  type TenantSessionStore,
} from '@greentic/session-core';
import {
  describeValue,
  invalidInput,
  type OpContext,
  sessionError,
  validateTenantId,
  validateTtlSecs,
} from '@greentic/session-core/backend';
import { writeSession } from '@greentic/session-turn';
import type { JsonValue, SessionSnapshot } from '@greentic/session-types';
import type { Storage, StoreItems } from 'botbuilder-core';

const ctx = (op: string): OpContext => ({ pkg: '@greentic/session-botbuilder', op });

/** Options of {@link GreenticStorage}. */
export interface GreenticStorageOptions {
  /** The store, or a tenant view of it. */
  store: SessionStore | TenantSessionStore;
  /** Tenant that owns the sessions; required with a plain store. */
  tenantId?: string;
  /** `ttlSecs` written with every write; 0 = never expires. @default 0 */
  ttlSecs?: number;
  /** Prefix of the store key before the storage key. @default 'botbuilder:' */
  prefix?: string;
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
    if (typeof options !== 'object' || options === null) {
      throw invalidInput(c, `options must be an object, got ${describeValue(options)}`);
    }
    const {
      store,
      tenantId,
      ttlSecs = 0,
      prefix = 'botbuilder:',
      unconditionalWrites = 'overwrite',
      ...rest
    } = options;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw invalidInput(c, `options.${extra} is not a known option`);
    if (typeof store !== 'object' || store === null || typeof store.get !== 'function') {
      throw invalidInput(c, `options.store must be a SessionStore, got ${describeValue(store)}`);
    }
    if (typeof prefix !== 'string') throw invalidInput(c, 'options.prefix must be a string');
    if (unconditionalWrites !== 'overwrite' && unconditionalWrites !== 'reject') {
      throw invalidInput(c, "options.unconditionalWrites must be 'overwrite' or 'reject'");
    }
    this.#ttlSecs = validateTtlSecs(ttlSecs, c, 'options.ttlSecs');
    this.#prefix = prefix;
    this.#reject = unconditionalWrites === 'reject';
    this.#view =
      'forTenant' in store
        ? store.forTenant(validateTenantId(tenantId, c, 'options.tenantId'))
        : store;
  }

  /** Reads items; each carries `eTag` `<session id>:<cas>`. Missing keys are left out. */
  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw invalidInput(ctx('read'), 'keys must be an array');
    const items: StoreItems = {};
    for (const key of keys) {
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
    if (typeof changes !== 'object' || changes === null) {
      throw invalidInput(c, 'changes must be an object');
    }
    for (const [key, item] of Object.entries(changes)) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw invalidInput(c, `changes[${JSON.stringify(key)}] must be an object`);
      }
      const { eTag, ...value } = item as { eTag?: unknown } & Record<string, JsonValue>;
      const k = this.#prefix + key;
      if (typeof eTag === 'string' && eTag !== '*') await this.#writeIfMatch(k, eTag, value);
      else await this.#writeUnconditionally(k, value);
    }
  }

  /** Deletes items. */
  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw invalidInput(ctx('delete'), 'keys must be an array');
    for (const key of keys) await this.#view.delete(this.#prefix + key);
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
      throw sessionError('conflict', c, `eTag conflict writing ${JSON.stringify(k)}`);
    }
    const r = await this.#view.updateCas(this.#withData(current.session, value), cas);
    if (!r.ok) throw sessionError('conflict', c, `eTag conflict writing ${JSON.stringify(k)}`);
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
            `refusing a write without an eTag (or '*') over the existing item ${JSON.stringify(k)}`,
          );
        }
        return this.#withData(s, value);
      },
      { flowId: 'botbuilder', ttlSecs: this.#ttlSecs },
      c,
    );
  }
}
