/**
 * The operator calls of the Redis store (list, count, purge one tenant's
 * sessions), cluster-wide, by SCAN: no index is kept, so writes pay nothing.
 *
 * - Every master is scanned (`Cluster#nodes('master')`, in address order), on
 *   its own connection, with a bounded `COUNT`; never `KEYS`.
 * - `MATCH` is the key layout `<prefix><ns>:{*}` with the glob characters of
 *   the client's `keyPrefix` and the namespace escaped, so both match
 *   literally. SCAN does not apply an ioredis `keyPrefix`: the pattern carries
 *   it, and commands sent back on a node connection drop that connection's
 *   own prefix (ioredis adds it again).
 * - Each SCAN batch is read with one pipeline of `GETRANGE key 0 4095`: the
 *   header gives owner, cas, id, `updatedAt` and `ttlSecs`; the owner is
 *   compared first, and only the tenant's sessions have their `meta` (user,
 *   team) parsed from the JSON prefix. A session whose `meta` lies beyond the
 *   first 4 KiB (very long ids) is read whole with `GET`. A count or dry run
 *   of a whole tenant reads only the 256-byte header.
 * - An expired key that Redis has not reaped yet reads as missing (`GETRANGE`
 *   expires it on access), so it is never listed, counted or purged.
 * - A purge deletes each matched session with the store's own delete script,
 *   fenced to the tenant and to the incarnation id it saw, pipelined per SCAN
 *   batch: a session re-created meanwhile is left whole. A purge of a whole
 *   tenant sends the script for every scanned key without reading it first:
 *   the script checks the owner itself.
 * - Listing pages are bounded (SCAN calls and time per page); see `Position`
 *   for what the cursor carries.
 *
 * @packageDocumentation
 */
import type {
  CountSessionsOptions,
  ListSessionsOptions,
  PurgeSessionsOptions,
  PurgeSessionsResult,
  SessionPage,
  SessionSummary,
} from '@greentic/session-core';
import {
  decodeSessionCursor,
  encodeSessionCursor,
  invalidInput,
  matchesSessionFilter,
  type OpContext,
  sessionError,
  sessionSummaryOf,
  type ValidatedScanOptions,
  type ValidatedSessionFilter,
  validateCountSessionsOptions,
  validateListSessionsOptions,
  validatePurgeSessionsOptions,
  validateSessionKey,
} from '@greentic/session-core/backend';
import type { Cluster, Redis } from 'ioredis';
import { decodeHeader, decodeValue, isoAt, type ValueHeader } from './codec.js';
import type { RedisConnection } from './connection.js';
import { toSessionError } from './errors.js';
import { LUA_SCRIPTS } from './lua/scripts.generated.js';
import { defineScripts, deleteArgs } from './scripts.js';

const PKG = '@greentic/session-redis';
const CTX = {
  listSessions: { pkg: PKG, op: 'listSessions' },
  countSessions: { pkg: PKG, op: 'countSessions' },
  purgeSessions: { pkg: PKG, op: 'purgeSessions' },
} as const satisfies Record<string, OpContext>;

/** Bounds of the work of one operator call, per SCAN step and per page. */
export interface RedisAdminBudget {
  /** `COUNT` of each SCAN call (a hint: Redis returns about this many keys). @default 1000 */
  readonly scanCount: number;
  /** Most SCAN calls (each followed by one read pipeline) in one `listSessions` page. @default 10 */
  readonly maxScansPerPage: number;
  /** A page stops after the SCAN step that crosses this many milliseconds. @default 250 */
  readonly pageTimeMs: number;
}

/** Default {@link RedisAdminBudget}. */
export const DEFAULT_ADMIN_BUDGET: RedisAdminBudget = Object.freeze({
  scanCount: 1000,
  maxScansPerPage: 10,
  pageTimeMs: 250,
});

/** Bytes read of each scanned value when ids are needed: the header and, for ordinary sessions, `meta`'s ids. */
const HEAD_BYTES = 4096;
/** Bytes read when only the header is needed (it is at most about 215 bytes). */
const HEADER_BYTES = 256;
const META_END = ',"labels":';

/** One master to scan. */
interface ScanNode {
  /** `host:port`, or `standalone`. */
  readonly id: string;
  readonly client: Redis;
  /** The node connection's own `keyPrefix`, which ioredis adds to keys sent on it. */
  readonly prefix: string;
}

/**
 * Where a listing stands. `node` and `scan`: the master and the SCAN cursor of
 * the next batch (`node` '' when every master is done). When the previous page
 * stopped inside a batch, either
 * - `pending` holds the few matched keys of that batch it could not return
 *   (read again, from `pendingNode`, before scanning on: exactly once), or,
 *   when they are too many for a cursor,
 * - `scan` stays on the batch, `after` is the last key returned, `count` the
 *   batch's COUNT and `end` the cursor SCAN returned after it. Resuming reads
 *   the batch again with the same COUNT; when SCAN returns the same next
 *   cursor it covered the same buckets and keys up to `after` are skipped;
 *   otherwise keys were added or removed in those buckets meanwhile and the
 *   whole batch is returned again (at least once, never a miss).
 */
interface Position {
  readonly node: string;
  readonly scan: string;
  readonly after: string;
  readonly count: number;
  readonly end: string;
  readonly pendingNode: string;
  readonly pending: readonly string[];
}

const FRESH = { after: '', count: 0, end: '', pendingNode: '', pending: [] } as const;

/** Most matched keys a cursor carries over to the next page, and their total length. */
const MAX_PENDING_KEYS = 64;
const MAX_PENDING_CHARS = 1200;

/** A matched session: its summary and the raw Redis key it lives at. */
interface Match {
  readonly rawKey: string;
  readonly summary: SessionSummary;
}

/** Escapes the glob characters of a Redis MATCH pattern, so `text` matches literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function prefixOf(client: { options: unknown }): string {
  const p = (client.options as { keyPrefix?: unknown } | undefined)?.keyPrefix;
  if (p === undefined || p === null) return '';
  return typeof p === 'string' ? p : String(p);
}

function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as { isCluster?: unknown }).isCluster === true;
}

const SCAN_CURSOR = /^(0|[1-9]\d{0,19})$/;
const MAX_SCAN_CURSOR = 2n ** 64n - 1n;

/** See the module documentation. */
export class RedisSessionAdmin {
  readonly #connection: RedisConnection;
  readonly #budget: RedisAdminBudget;
  /** Prefix of every raw key of the store: the store client's `keyPrefix` + `<ns>:{`. */
  readonly #keyHead: string;
  readonly #pattern: string;
  readonly #scope: string;

  /**
   * @param connection - the store's connection
   * @param namespace - the store's validated namespace
   * @param budget - bounds of each call @default DEFAULT_ADMIN_BUDGET
   */
  constructor(
    connection: RedisConnection,
    namespace: string,
    budget: RedisAdminBudget = DEFAULT_ADMIN_BUDGET,
  ) {
    this.#connection = connection;
    this.#budget = budget;
    this.#keyHead = `${prefixOf(connection.client)}${namespace}:{`;
    this.#pattern = `${escapeGlob(this.#keyHead)}*}`;
    this.#scope = `${PKG}\n${this.#keyHead}`;
  }

  /** See `SessionAdmin.listSessions`. */
  async listSessions(opts: ListSessionsOptions): Promise<SessionPage> {
    const ctx = CTX.listSessions;
    const { filter, cursor, limit } = validateListSessionsOptions(opts, ctx);
    const given = cursor === null ? undefined : this.#decodeCursor(cursor, filter, ctx);
    const nodes = await this.#nodes(ctx);
    const find = (id: string): number => {
      const at = nodes.findIndex((n) => n.id === id);
      if (at < 0) {
        throw invalidInput(
          ctx,
          'opts.cursor names a node that is no longer a master of the cluster (the topology changed); start again without a cursor',
        );
      }
      return at;
    };
    let pos: Position = given ?? { node: (nodes[0] as ScanNode).id, scan: '0', ...FRESH };
    const sessions: SessionSummary[] = [];
    if (pos.pending.length > 0) {
      // Matches of the last batch that did not fit the previous page.
      const node = nodes[find(pos.pendingNode)] as ScanNode;
      const raw = pos.pending.map((k) => `${this.#keyHead}${k}}`);
      const matches = sortByKey(await this.#read(ctx, node, raw, filter, true));
      for (const m of matches.slice(0, limit)) sessions.push(m.summary);
      const rest = matches.slice(limit).map((m) => m.summary.key);
      if (rest.length > 0) return this.#page(sessions, filter, { ...pos, pending: rest });
      pos = { ...pos, pendingNode: '', pending: [] };
      if (pos.node === '' || sessions.length === limit) {
        return this.#page(sessions, filter, pos.node === '' ? undefined : pos);
      }
    }
    if (pos.node === '') return this.#page(sessions, filter, undefined);
    let at = find(pos.node);
    const started = performance.now();
    let scanned = 0;
    for (let scans = 0; ; ) {
      if (
        scans >= this.#budget.maxScansPerPage ||
        performance.now() - started >= this.#budget.pageTimeMs
      ) {
        return this.#page(sessions, filter, pos);
      }
      const node = nodes[at] as ScanNode;
      // Ask SCAN for about as many keys as should fill the page at the density
      // seen so far: SCAN stops once it has collected COUNT keys, so a batch
      // overflows the page by a few keys at most, and those few travel in the
      // cursor. Resuming inside a batch repeats its COUNT: from one cursor,
      // SCAN returns the same batch only for the same COUNT.
      const room = limit - sessions.length;
      const density = scanned === 0 ? 1 : sessions.length / scanned;
      const count =
        pos.after !== ''
          ? pos.count
          : Math.max(
              16,
              Math.min(this.#budget.scanCount, Math.ceil(room / Math.max(density, 1e-6))),
            );
      const [next, keys] = await this.#scan(ctx, node, pos.scan, count);
      scans++;
      scanned += keys.length;
      const after = next === pos.end ? pos.after : '';
      const matches = sortByKey(await this.#read(ctx, node, keys, filter, true)).filter(
        (m) => after === '' || m.summary.key > after,
      );
      for (const m of matches.slice(0, room)) sessions.push(m.summary);
      const onward: Position =
        next !== '0'
          ? { node: node.id, scan: next, ...FRESH }
          : at + 1 < nodes.length
            ? { node: (nodes[at + 1] as ScanNode).id, scan: '0', ...FRESH }
            : { node: '', scan: '0', ...FRESH };
      if (matches.length > room) {
        const rest = matches.slice(room).map((m) => m.summary.key);
        const chars = rest.reduce((n, k) => n + k.length + 1, 0);
        pos =
          rest.length <= MAX_PENDING_KEYS && chars <= MAX_PENDING_CHARS
            ? { ...onward, pendingNode: node.id, pending: rest }
            : {
                node: node.id,
                scan: pos.scan,
                after: (sessions.at(-1) as SessionSummary).key,
                count,
                end: next,
                pendingNode: '',
                pending: [],
              };
        return this.#page(sessions, filter, pos);
      }
      pos = onward;
      if (pos.node === '') return this.#page(sessions, filter, undefined);
      at = find(pos.node);
      if (sessions.length === limit) return this.#page(sessions, filter, pos);
    }
  }

  /** See `SessionAdmin.countSessions`. */
  async countSessions(opts: CountSessionsOptions): Promise<number> {
    const ctx = CTX.countSessions;
    const options = validateCountSessionsOptions(opts, ctx);
    return (await this.#walk(ctx, options, false)).matched;
  }

  /** See `SessionAdmin.purgeSessions`. */
  async purgeSessions(opts: PurgeSessionsOptions): Promise<PurgeSessionsResult> {
    const ctx = CTX.purgeSessions;
    const options = validatePurgeSessionsOptions(opts, ctx);
    return this.#walk(ctx, options, !options.dryRun);
  }

  #page(
    sessions: SessionSummary[],
    filter: ValidatedSessionFilter,
    pos: Position | undefined,
  ): SessionPage {
    return Object.freeze({
      sessions: Object.freeze(sessions),
      cursor:
        pos === undefined
          ? null
          : encodeSessionCursor(this.#scope, filter, [
              pos.node,
              pos.scan,
              pos.after,
              String(pos.count),
              pos.end,
              pos.pendingNode,
              pos.pending.join(' '),
            ]),
    });
  }

  #decodeCursor(cursor: string, filter: ValidatedSessionFilter, ctx: OpContext): Position {
    const [node, scan, after, countText, end, pendingNode, pendingText] = decodeSessionCursor(
      cursor,
      this.#scope,
      filter,
      7,
      ctx,
    ) as [string, string, string, string, string, string, string];
    const count = /^(0|[1-9]\d{0,6})$/.test(countText) ? Number(countText) : -1;
    const pending = pendingText === '' ? [] : pendingText.split(' ');
    const isScan = (c: string) => SCAN_CURSOR.test(c) && BigInt(c) <= MAX_SCAN_CURSOR;
    const inBatch = after !== '';
    if (
      !isScan(scan) ||
      (inBatch
        ? !isScan(end) || count < 1 || count > this.#budget.scanCount || pending.length > 0
        : end !== '' || count !== 0) ||
      pending.length > 0 !== (pendingNode !== '') ||
      pending.length > MAX_PENDING_KEYS ||
      (node === '' && (inBatch || pending.length === 0))
    ) {
      throw invalidInput(
        ctx,
        'opts.cursor holds no valid SCAN position; start again without a cursor',
      );
    }
    for (const k of pending) validateSessionKey(k, ctx, 'opts.cursor');
    return { node, scan, after, count, end, pendingNode, pending };
  }

  /**
   * Scans every master (in parallel) batch by batch; between batches it
   * reports progress and honours the signal. A failure on one master stops
   * the others at their next batch.
   */
  async #walk(
    ctx: OpContext,
    options: ValidatedScanOptions,
    remove: boolean,
  ): Promise<PurgeSessionsResult> {
    const { filter, onProgress, signal } = options;
    signal?.throwIfAborted();
    const nodes = await this.#nodes(ctx);
    const totals = { scanned: 0, matched: 0, deleted: 0 };
    const withIds = filter.userId !== undefined || filter.teamId !== undefined;
    let stopped = false;
    const walkNode = async (node: ScanNode): Promise<void> => {
      let cursor = '0';
      do {
        if (stopped) return;
        signal?.throwIfAborted();
        const [next, keys] = await this.#scan(ctx, node, cursor);
        cursor = next;
        let matched: number;
        let deleted = 0;
        if (remove && !withIds) {
          // The whole tenant: the fenced delete script checks the owner itself,
          // so each key costs one script call and no read.
          deleted = await this.#deleteKeys(ctx, node, this.#sessionKeys(node, keys), filter, null);
          matched = deleted;
        } else {
          const matches = await this.#read(ctx, node, keys, filter, withIds);
          matched = matches.length;
          if (remove && matched > 0) {
            deleted = await this.#deleteKeys(ctx, node, matches, filter, matches);
          }
        }
        if (stopped) return;
        totals.scanned += keys.length;
        totals.matched += matched;
        totals.deleted += deleted;
        onProgress?.(Object.freeze({ ...totals }));
      } while (cursor !== '0');
    };
    const results = await Promise.allSettled(
      nodes.map((node) =>
        walkNode(node).catch((err: unknown) => {
          stopped = true;
          throw err;
        }),
      ),
    );
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    return Object.freeze({ ...totals });
  }

  /** The masters to scan, once the connection is ready. */
  async #nodes(ctx: OpContext): Promise<ScanNode[]> {
    const client = this.#connection.client;
    return this.#connection.run(
      ctx,
      async () => {
        if (!isCluster(client)) return [{ id: 'standalone', client, prefix: prefixOf(client) }];
        const masters = client.nodes('master');
        if (masters.length === 0) {
          throw sessionError(
            'unavailable',
            ctx,
            'the cluster has no known master; nothing was sent',
          );
        }
        return masters
          .map((node) => {
            defineScripts(node);
            const o = node.options as { host?: string; port?: number };
            return { id: `${o.host}:${o.port}`, client: node, prefix: prefixOf(node) };
          })
          .sort((a, b) => (a.id < b.id ? -1 : 1));
      },
      (nodes) => nodes,
    );
  }

  /** One SCAN step on one master: the next cursor and the raw keys. */
  #scan(
    ctx: OpContext,
    node: ScanNode,
    cursor: string,
    count = this.#budget.scanCount,
  ): Promise<[string, string[]]> {
    return this.#connection.run(
      ctx,
      () => node.client.scan(cursor, 'MATCH', this.#pattern, 'COUNT', count),
      (reply) => {
        const [next, keys] = reply as [string, string[]];
        return [String(next), keys];
      },
    );
  }

  /** The raw key as sent on `node`'s connection (which adds its own prefix again). */
  #sendKey(node: ScanNode, rawKey: string): string {
    return rawKey.slice(node.prefix.length);
  }

  /**
   * Reads the scanned keys (header and `meta` ids) in one pipeline and keeps
   * the live sessions of the filter. Keys that are not sessions of this
   * store (a damaged value, another type) are skipped: an operator listing
   * shows sessions, and `get` reports the damage for a key asked by name.
   */
  async #read(
    ctx: OpContext,
    node: ScanNode,
    rawKeys: readonly string[],
    filter: ValidatedSessionFilter,
    withIds: boolean,
  ): Promise<Match[]> {
    const keys = this.#sessionKeys(node, rawKeys);
    if (keys.length === 0) return [];
    const bytes = withIds ? HEAD_BYTES : HEADER_BYTES;
    const heads = await this.#pipeline(ctx, node, (p) => {
      for (const k of keys) p.getrange(this.#sendKey(node, k), 0, bytes - 1);
    });
    const out: Match[] = [];
    const whole: string[] = [];
    keys.forEach((rawKey, i) => {
      const raw = heads[i];
      if (typeof raw !== 'string' || raw === '') return;
      const header = decodeHeader(raw);
      // The owner is compared before any JSON is looked at.
      if (header === null || header.tenantId !== filter.tenantId) return;
      const key = rawKey.slice(this.#keyHead.length, -1);
      if (!withIds) {
        // A count or purge of the whole tenant: the ids are never shown.
        out.push({ rawKey, summary: summaryOf(key, header, null, null) });
        return;
      }
      const end = raw.indexOf(META_END, header.bodyAt);
      if (end < 0) {
        if (raw.length >= HEAD_BYTES) whole.push(rawKey);
        return;
      }
      const meta = parseMeta(raw.slice(header.bodyAt, end), key, header.tenantId);
      if (meta === undefined) {
        whole.push(rawKey);
        return;
      }
      if (!matchesSessionFilter(filter, header.tenantId, meta.userId, meta.teamId)) return;
      out.push({ rawKey, summary: summaryOf(key, header, meta.userId, meta.teamId) });
    });
    if (whole.length > 0) out.push(...(await this.#readWhole(ctx, node, whole, filter)));
    return out;
  }

  async #readWhole(
    ctx: OpContext,
    node: ScanNode,
    rawKeys: readonly string[],
    filter: ValidatedSessionFilter,
  ): Promise<Match[]> {
    const values = await this.#pipeline(ctx, node, (p) => {
      for (const k of rawKeys) p.get(this.#sendKey(node, k));
    });
    const out: Match[] = [];
    rawKeys.forEach((rawKey, i) => {
      const key = rawKey.slice(this.#keyHead.length, -1);
      let stored: ReturnType<typeof decodeValue>;
      try {
        stored = decodeValue(values[i], key, filter.tenantId, ctx);
      } catch {
        return;
      }
      if (stored === null) return;
      const { tenantId, userId, teamId } = stored.session.meta;
      if (!matchesSessionFilter(filter, tenantId, userId, teamId)) return;
      out.push({ rawKey, summary: sessionSummaryOf(stored) });
    });
    return out;
  }

  /** The scanned keys that have this store's layout (`<prefix><ns>:{<key>}`). */
  #sessionKeys(node: ScanNode, rawKeys: readonly string[]): string[] {
    return rawKeys.filter(
      (k) => k.startsWith(this.#keyHead) && k.startsWith(node.prefix) && k.endsWith('}'),
    );
  }

  /**
   * Deletes keys with the store's delete script in one pipeline, fenced to the
   * tenant and, for matches, to the incarnation id the read saw.
   *
   * @param keys - raw keys, or the matches of a read
   * @param matches - the same matches (their ids fence the delete), or null for raw keys
   * @returns how many sessions were deleted
   */
  async #deleteKeys(
    ctx: OpContext,
    node: ScanNode,
    keys: readonly (string | Match)[],
    filter: ValidatedSessionFilter,
    matches: readonly Match[] | null,
  ): Promise<number> {
    if (keys.length === 0) return 0;
    defineScripts(node.client);
    const replies = await this.#pipeline(ctx, node, (p) => {
      // A command defined on a client is available on its pipelines too.
      const del = (p as unknown as Record<string, (...args: string[]) => unknown>)[
        LUA_SCRIPTS.delete.command
      ] as (...args: string[]) => unknown;
      keys.forEach((k, i) => {
        const rawKey = typeof k === 'string' ? k : k.rawKey;
        const id = matches === null ? undefined : matches[i]?.summary.id;
        del.call(p, ...deleteArgs(this.#sendKey(node, rawKey), filter.tenantId, id));
      });
    });
    let deleted = 0;
    // 1 deleted; 0 gone, another tenant's or another incarnation; -2 not a
    // session (damaged meanwhile): left alone and not counted.
    for (const reply of replies) if (reply === 1) deleted++;
    return deleted;
  }

  /** Runs a pipeline on one node; an error reply of one command becomes undefined. */
  #pipeline(
    ctx: OpContext,
    node: ScanNode,
    fill: (p: ReturnType<Redis['pipeline']>) => void,
  ): Promise<unknown[]> {
    return this.#connection.run(
      ctx,
      () => {
        const p = node.client.pipeline();
        fill(p);
        return p.exec();
      },
      (results) => {
        if (results === null) throw toSessionError(new Error('the pipeline was discarded'), ctx);
        return results.map(([err, value]) => (err === null ? value : undefined));
      },
    );
  }
}

function sortByKey(matches: Match[]): Match[] {
  return matches.sort((a, b) => (a.summary.key < b.summary.key ? -1 : 1));
}

function summaryOf(
  key: string,
  header: ValueHeader,
  userId: string | null,
  teamId: string | null,
): SessionSummary {
  return Object.freeze({
    key,
    id: header.id,
    tenantId: header.tenantId,
    teamId,
    userId,
    cas: header.cas,
    updatedAt: isoAt(header.updatedAtMs),
    ttlSecs: header.ttlSecs,
  });
}

/**
 * Parses `{"key":…,"cursor":{…},"meta":{"tenantId":…,"teamId":…,"userId":…`
 * (the JSON body up to `,"labels":`). The sequence `,"labels":` cannot occur
 * inside a JSON string (a quote in a string is escaped), and the fields are
 * written in this order, so its first occurrence ends `meta`'s ids.
 *
 * @returns the ids, or undefined when the prefix is not of this shape
 */
function parseMeta(
  prefix: string,
  key: string,
  tenantId: string,
): { userId: string | null; teamId: string | null } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(`${prefix}}}`);
  } catch {
    return undefined;
  }
  const b = body as { key?: unknown; meta?: Record<string, unknown> };
  const meta = b.meta;
  if (b.key !== key || typeof meta !== 'object' || meta === null || meta.tenantId !== tenantId) {
    return undefined;
  }
  const { userId, teamId } = meta;
  if (!isId(userId) || !isId(teamId)) return undefined;
  return { userId, teamId };
}

function isId(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
