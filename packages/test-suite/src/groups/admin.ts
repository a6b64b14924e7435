import {
  createSession,
  hasSessionAdmin,
  type SessionAdmin,
  type SessionFilter,
  type SessionScanProgress,
  type SessionStore,
  type SessionSummary,
} from '@greentic/session-core';
import { describe, expect, it } from 'vitest';
import { expectSessionError } from '../assertions.js';
import { uniqueKey, uniqueTenant } from '../fixtures.js';
import type { SuiteContext } from '../options.js';

type AdminStore = SessionStore & SessionAdmin;

async function openAdmin(ctx: SuiteContext): Promise<AdminStore> {
  const store = await ctx.open();
  if (!hasSessionAdmin(store)) throw new Error('the store does not implement SessionAdmin');
  // A warm store, as in production: a count visits every node, so a cluster
  // client has a connection to each master before the burst of writes below.
  expect(await store.countSessions({ tenantId: uniqueTenant('warm') })).toBe(0);
  return store;
}

interface Seeded {
  readonly key: string;
  readonly tenantId: string;
  readonly userId: string | null;
  readonly teamId: string | null;
}

/** Writes `count` sessions of a tenant, users and teams taken in turn from the lists. */
async function seed(
  store: SessionStore,
  tenantId: string,
  count: number,
  users: readonly (string | null)[] = [null],
  teams: readonly (string | null)[] = [null],
  ttlSecs = 3600,
): Promise<Seeded[]> {
  const out: Seeded[] = [];
  for (let i = 0; i < count; i++) {
    const userId = users[i % users.length] ?? null;
    const teamId = teams[i % teams.length] ?? null;
    // Keys with characters a glob or a cursor could trip on.
    const key = uniqueKey(i % 3 === 0 ? 'k*?[x]' : 'k');
    out.push({ key, tenantId, userId, teamId });
  }
  await Promise.all(
    out.map((s) =>
      store.put(
        createSession({
          key: s.key,
          tenantId,
          userId: s.userId,
          teamId: s.teamId,
          flowId: 'f',
          nodeId: 'n',
          ttlSecs,
        }),
      ),
    ),
  );
  return out;
}

/** Every page of a listing; fails if one key comes back twice. */
async function listAll(
  store: SessionAdmin,
  filter: SessionFilter,
  limit?: number,
  unique = true,
): Promise<SessionSummary[]> {
  const all: SessionSummary[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100_000; pages++) {
    const page = await store.listSessions({
      ...filter,
      cursor,
      ...(limit === undefined ? {} : { limit }),
    });
    expect(page.sessions.length).toBeLessThanOrEqual(limit ?? 100);
    all.push(...page.sessions);
    cursor = page.cursor;
    if (cursor === null) break;
  }
  expect(cursor).toBeNull();
  if (unique) {
    const keys = all.map((s) => s.key);
    expect(new Set(keys).size, 'no session is listed twice').toBe(keys.length);
  }
  return all;
}

const keysOf = (items: readonly { key: string }[]): string[] => items.map((s) => s.key).sort();

const matching = (items: readonly Seeded[], f: Partial<Seeded>): Seeded[] =>
  items.filter(
    (s) =>
      (f.tenantId === undefined || s.tenantId === f.tenantId) &&
      (f.userId === undefined || s.userId === f.userId) &&
      (f.teamId === undefined || s.teamId === f.teamId),
  );

/** Operator calls (`SessionAdmin`): list, count and purge one tenant's sessions. */
export function adminTests(ctx: SuiteContext): void {
  describe('operator calls (list, count, purge)', () => {
    it('list and count agree with what was written, per tenant, user and team', async () => {
      const store = await openAdmin(ctx);
      const a = uniqueTenant('a');
      const b = uniqueTenant('b');
      const written = [
        ...(await seed(store, a, 40, ['u1', 'u2', null], ['t1', null])),
        ...(await seed(store, b, 15, ['u1'], ['t1'])),
      ];
      const filters: SessionFilter[] = [
        { tenantId: a },
        { tenantId: a, userId: 'u1' },
        { tenantId: a, teamId: 't1' },
        { tenantId: a, userId: 'u2', teamId: 't1' },
        { tenantId: a, userId: 'nobody' },
        { tenantId: b, userId: 'u1' },
        { tenantId: uniqueTenant('empty') },
      ];
      for (const filter of filters) {
        const expected = matching(written, filter);
        expect(await store.countSessions(filter)).toBe(expected.length);
        expect(keysOf(await listAll(store, filter, 7))).toStrictEqual(keysOf(expected));
      }
    });

    it('a summary shows the stored header and ids, and is frozen', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      const [s] = await seed(store, tenantId, 1, ['user-9'], ['team-9'], 120);
      const key = (s as Seeded).key;
      await store.touch(key, 300);
      const got = await store.get(key);
      expect(got).not.toBeNull();
      // A backend may need several (bounded) pages to cover its keyspace.
      const page = await store.listSessions({ tenantId, limit: 1000 });
      const listed = await listAll(store, { tenantId });
      expect(listed).toStrictEqual([
        {
          key,
          id: got?.session.id,
          tenantId,
          teamId: 'team-9',
          userId: 'user-9',
          cas: got?.cas,
          updatedAt: got?.session.updatedAt,
          ttlSecs: 300,
        },
      ]);
      expect(Object.isFrozen(page)).toBe(true);
      expect(Object.isFrozen(page.sessions)).toBe(true);
      expect(Object.isFrozen(listed[0])).toBe(true);
    });

    it('pages of 1, 2 and 3 visit every session exactly once', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      const written = await seed(store, tenantId, 23, ['u1', 'u2']);
      await seed(store, uniqueTenant('other'), 10, ['u1']);
      for (const limit of [1, 2, 3]) {
        expect(keysOf(await listAll(store, { tenantId }, limit))).toStrictEqual(keysOf(written));
        expect(keysOf(await listAll(store, { tenantId, userId: 'u2' }, limit))).toStrictEqual(
          keysOf(matching(written, { userId: 'u2' })),
        );
      }
    });

    // At least once: Redis SCAN may repeat a key when the keyspace is resized
    // meanwhile (see SessionPage); without writes, the tests above ask exactly once.
    it('under concurrent writes, every session present throughout is listed, and only the tenant’s', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      const stable = await seed(store, tenantId, 30, ['u1']);
      const churn = await seed(store, tenantId, 10, ['u1']);
      let writing = true;
      const writer = (async () => {
        let n = 0;
        while (writing && n < 200) {
          n++;
          const c = churn[n % churn.length] as Seeded;
          await (n % 2 === 0 ? store.delete(c.key) : seed(store, tenantId, 1, ['u1']));
          await seed(store, uniqueTenant('noise'), 1);
        }
      })();
      const listed = await listAll(store, { tenantId, userId: 'u1' }, 4, false);
      writing = false;
      await writer;
      const listedKeys = new Set(listed.map((s) => s.key));
      for (const s of stable) expect(listedKeys.has(s.key), s.key).toBe(true);
      for (const s of listed) expect(s.tenantId).toBe(tenantId);
      // Once writes stop, count and listing agree again.
      expect(await store.countSessions({ tenantId })).toBe(
        (await listAll(store, { tenantId }, 50)).length,
      );
    });

    it('purge with dryRun counts what it would delete and deletes nothing', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      const written = await seed(store, tenantId, 12, ['y', 'z']);
      const result = await store.purgeSessions({ tenantId, userId: 'y', dryRun: true });
      expect(result.matched).toBe(6);
      expect(result.deleted).toBe(0);
      expect(result.scanned).toBeGreaterThanOrEqual(6);
      for (const s of written) expect(await store.get(s.key)).not.toBeNull();
      expect(await store.countSessions({ tenantId })).toBe(12);
    });

    it("purge of user Y deletes Y's sessions and leaves user Z and other tenants whole", async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      const other = uniqueTenant('other');
      const mine = await seed(store, tenantId, 20, ['y', 'z', null], ['t1', 't2']);
      // Another tenant's user with the very same id.
      const theirs = await seed(store, other, 8, ['y']);
      const progress: SessionScanProgress[] = [];
      const result = await store.purgeSessions({
        tenantId,
        userId: 'y',
        onProgress: (p) => progress.push(p),
      });
      const ys = matching(mine, { userId: 'y' });
      expect(result).toStrictEqual({
        scanned: result.scanned,
        matched: ys.length,
        deleted: ys.length,
      });
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)).toStrictEqual(result);
      for (const s of mine) {
        const got = await store.get(s.key);
        expect(got === null, s.key).toBe(s.userId === 'y');
      }
      for (const s of theirs) expect(await store.get(s.key)).not.toBeNull();
      expect(await store.countSessions({ tenantId, userId: 'y' })).toBe(0);
      expect(await store.countSessions({ tenantId: other, userId: 'y' })).toBe(8);
      // A second purge finds nothing.
      expect(await store.purgeSessions({ tenantId, userId: 'y' })).toMatchObject({
        matched: 0,
        deleted: 0,
      });
      // The whole tenant, then.
      const all = await store.purgeSessions({ tenantId });
      expect(all.deleted).toBe(mine.length - ys.length);
      expect(await store.countSessions({ tenantId })).toBe(0);
      expect(await store.countSessions({ tenantId: other })).toBe(8);
    });

    it('expired sessions are never listed, counted or purged', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      const minTtl = ctx.capabilities.minTtlSecs ?? 1;
      const short = await seed(store, tenantId, 4, ['u'], [null], minTtl);
      const long = await seed(store, tenantId, 3, ['u'], [null], 3600);
      await ctx.capabilities.advanceTime(minTtl * 1000 + 1100);
      expect(await store.countSessions({ tenantId })).toBe(3);
      expect(keysOf(await listAll(store, { tenantId }))).toStrictEqual(keysOf(long));
      const purged = await store.purgeSessions({ tenantId, dryRun: true });
      expect(purged.matched).toBe(3);
      expect(short.length).toBe(4);
    });

    it('an aborted signal rejects with its reason and deletes nothing', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      await seed(store, tenantId, 5);
      const controller = new AbortController();
      const reason = new Error('operator cancelled');
      controller.abort(reason);
      await expect(store.purgeSessions({ tenantId, signal: controller.signal })).rejects.toBe(
        reason,
      );
      await expect(store.countSessions({ tenantId, signal: controller.signal })).rejects.toBe(
        reason,
      );
      expect(await store.countSessions({ tenantId })).toBe(5);
    });

    it('a throwing onProgress aborts the call', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      await seed(store, tenantId, 3);
      const boom = new Error('progress failed');
      await expect(
        store.countSessions({
          tenantId,
          onProgress: () => {
            throw boom;
          },
        }),
      ).rejects.toBe(boom);
    });

    it('bad options throw invalid_input and delete nothing', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      await seed(store, tenantId, 4, ['u']);
      const throwing = {
        get tenantId(): string {
          throw new Error('getter');
        },
      };
      const bad: [string, unknown][] = [
        ['no options', undefined],
        ['null', null],
        ['an array', [tenantId]],
        ['a missing tenantId', {}],
        ['a tenantId with a wildcard', { tenantId: '*' }],
        ['the reserved tenant', { tenantId: 'lookup' }],
        ['a tenantId that is a number', { tenantId: 7 }],
        ['an empty userId', { tenantId, userId: '' }],
        ['a userId that is a number', { tenantId, userId: 1 }],
        ['a null teamId', { tenantId, teamId: null }],
        ['a userId too long', { tenantId, userId: 'u'.repeat(1025) }],
        ['an unknown option', { tenantId, tenant: tenantId }],
        ['a throwing getter', throwing],
        [
          'a class instance',
          new (class Opts {
            tenantId = tenantId;
          })(),
        ],
      ];
      const purgeOnly: [string, unknown][] = [
        ['onProgress that is not a function', { tenantId, onProgress: 'x' }],
        ['signal that is not an AbortSignal', { tenantId, signal: { aborted: false } }],
        ['dryRun that is not a boolean', { tenantId, dryRun: 'yes' }],
        ['a cursor (not a purge option)', { tenantId, cursor: null }],
      ];
      const listOnly: [string, unknown][] = [
        ['limit 0', { tenantId, limit: 0 }],
        ['limit 1001', { tenantId, limit: 1001 }],
        ['limit 1.5', { tenantId, limit: 1.5 }],
        ['limit as text', { tenantId, limit: '10' }],
        ['a numeric cursor', { tenantId, cursor: 5 }],
        ['an empty cursor', { tenantId, cursor: '' }],
        ['a huge cursor', { tenantId, cursor: 'x'.repeat(100_000) }],
        ['dryRun (not a list option)', { tenantId, dryRun: true }],
      ];
      const call = store as unknown as Record<string, (o: unknown) => Promise<unknown>>;
      for (const [what, opts] of [...bad, ...purgeOnly]) {
        await expectSessionError(
          call.purgeSessions?.(opts) as Promise<unknown>,
          'invalid_input',
        ).catch((err: unknown) => {
          throw new Error(`purgeSessions with ${what}: ${String(err)}`);
        });
      }
      for (const [what, opts] of [...bad, ...purgeOnly.slice(0, 2)]) {
        await expectSessionError(
          call.countSessions?.(opts) as Promise<unknown>,
          'invalid_input',
        ).catch((err: unknown) => {
          throw new Error(`countSessions with ${what}: ${String(err)}`);
        });
      }
      for (const [what, opts] of [...bad, ...listOnly]) {
        await expectSessionError(
          call.listSessions?.(opts) as Promise<unknown>,
          'invalid_input',
        ).catch((err: unknown) => {
          throw new Error(`listSessions with ${what}: ${String(err)}`);
        });
      }
      expect(await store.countSessions({ tenantId })).toBe(4);
    });

    it('a damaged, forged or foreign cursor is invalid_input, never another listing', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      const other = uniqueTenant('other');
      await seed(store, tenantId, 6, ['u1']);
      await seed(store, other, 6, ['u1']);
      const first = await store.listSessions({ tenantId, limit: 2 });
      const cursor = first.cursor;
      expect(cursor).not.toBeNull();
      const c = cursor as string;
      const flip = (s: string, i: number) =>
        s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      const damaged = [
        flip(c, 0),
        flip(c, Math.floor(c.length / 2)),
        flip(c, c.length - 1),
        c.slice(0, -1),
        `${c}x`,
        'garbage',
        Buffer.from('["",""]').toString('base64url'),
        `${Buffer.from('["a"]').toString('base64url')}.0123456789abcdef`,
      ];
      for (const bad of damaged) {
        await expectSessionError(store.listSessions({ tenantId, cursor: bad }), 'invalid_input');
      }
      // A cursor of tenant A's listing cannot continue a listing of tenant B,
      // nor one of another filter.
      await expectSessionError(store.listSessions({ tenantId: other, cursor: c }), 'invalid_input');
      await expectSessionError(
        store.listSessions({ tenantId, userId: 'u1', cursor: c }),
        'invalid_input',
      );
      // The genuine cursor still works.
      const next = await store.listSessions({ tenantId, limit: 2, cursor: c });
      for (const s of next.sessions) expect(s.tenantId).toBe(tenantId);
    });

    it('the tenant view offers the operator calls fenced to its tenant', async () => {
      const store = await openAdmin(ctx);
      const tenantId = uniqueTenant();
      const other = uniqueTenant('other');
      const mine = await seed(store, tenantId, 5, ['u1', 'u2']);
      await seed(store, other, 5, ['u1']);
      const view = store.forTenant(tenantId);
      if (!hasSessionAdmin(view)) throw new Error('the tenant view does not offer SessionAdmin');
      expect(await view.countSessions({ tenantId })).toBe(5);
      expect(keysOf(await listAll(view, { tenantId }))).toStrictEqual(keysOf(mine));
      await expectSessionError(view.countSessions({ tenantId: other }), 'tenant_mismatch');
      await expectSessionError(view.purgeSessions({ tenantId: other }), 'tenant_mismatch');
      await expectSessionError(view.listSessions({ tenantId: other }), 'tenant_mismatch');
      expect(await store.countSessions({ tenantId: other })).toBe(5);
      expect((await view.purgeSessions({ tenantId, userId: 'u1' })).deleted).toBe(3);
      expect(await store.countSessions({ tenantId })).toBe(2);
    });
  });
}
