/**
 * The scenarios every Telegram turn adapter (grammY, Telegraf) must pass,
 * with the real framework driven offline: concurrent updates for one chat
 * lose nothing and reply once each, a redelivered update changes and sends
 * nothing, a throwing handler sends and writes nothing, a failed delivery
 * keeps its commit; on one process (memory) and on two bot instances sharing
 * Redis; and the framework's own `session()` losing updates as the baseline.
 * A subpath of its own (`@greentic/session-test-suite/telegram`).
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import type { SessionStore, TenantSessionStore } from '@greentic/session-core';
import { afterEach, describe, expect, it } from 'vitest';

/** Session data of the test bots. */
export interface Counter {
  count: number;
  updates: number[];
}

/** A Bot API call the offline bot saw. */
export interface RecordedCall {
  readonly bot: string;
  readonly method: string;
  readonly payload: Record<string, unknown>;
}

/** A text message update in a private chat (a `/command` gets its entity). */
export function textUpdate(updateId: number, chatId: number, text = 'hi') {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 0,
      chat: { id: chatId, type: 'private' as const, first_name: 'U' },
      from: { id: chatId, is_bot: false, first_name: 'U' },
      text,
      ...(text.startsWith('/')
        ? {
            entities: [
              { type: 'bot_command' as const, offset: 0, length: text.split(' ')[0]?.length ?? 1 },
            ],
          }
        : {}),
    },
  };
}

/** What {@link textUpdate} builds. */
export type TextUpdate = ReturnType<typeof textUpdate>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** What the counting handler needs of a framework's context. */
export interface CountingContext {
  session: Counter;
  readonly update: { readonly update_id: number };
  reply(text: string): Promise<unknown>;
}

/** The counting handler: reads, waits, writes, replies with the update id. */
export async function countingHandler(ctx: CountingContext): Promise<void> {
  const before = ctx.session.count;
  await sleep(1 + Math.floor(Math.random() * 8));
  ctx.session.count = before + 1;
  ctx.session.updates.push(ctx.update.update_id);
  await ctx.reply(`update ${ctx.update.update_id} count ${before + 1}`);
}

/** The `/boom` handler: changes the session, replies, then throws `handler failed`. */
export async function boomHandler(ctx: CountingContext): Promise<void> {
  ctx.session.count = 100;
  await ctx.reply('about to fail');
  throw new Error('handler failed');
}

/** Texts of the sendMessage calls recorded. */
export function replies(calls: readonly RecordedCall[]): string[] {
  return calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.payload.text));
}

/** The update ids of the replies, sorted. */
export function repliedUpdates(calls: readonly RecordedCall[]): number[] {
  return replies(calls)
    .map((t) => Number(/^update (\d+)/.exec(t)?.[1]))
    .sort((a, b) => a - b);
}

/** A bot that handles an update (grammY `Bot`, Telegraf). */
export interface UpdateHandler {
  handleUpdate(update: TextUpdate): Promise<unknown>;
}

/** What an adapter's tests plug into {@link describeTelegramTurns}. */
export interface TelegramTurnHarness {
  /** Adapter name in test names and result lines: `grammy`, `telegraf`. */
  readonly name: string;
  /**
   * An offline bot named `bot` (recorded in `calls`) whose turn session on
   * `store` (tenant `acme`, `initial` {@link Counter} 0) runs
   * {@link countingHandler} for text and {@link boomHandler} for `/boom`,
   * with the given retry bounds and `ttlSecs`; the fake API fails the
   * methods `fail` names.
   */
  turnBot(
    store: SessionStore | TenantSessionStore,
    calls: RecordedCall[],
    options: {
      bot: string;
      fail?: (method: string) => boolean;
      ttlSecs?: number;
      baseDelayMs: number;
      maxDelayMs: number;
      maxAttempts: number;
    },
  ): UpdateHandler;
  /** The store key of the turn session of a chat. */
  turnKey(chatId: number): string;
  /** The flowId the adapter's sessions start with. */
  readonly flowId: string;
  /**
   * An offline bot named `bot` on the framework's own `session()` with the
   * adapter's storage on `store` (tenant `acme`) and {@link countingHandler}:
   * the baseline that loses updates.
   */
  plainBot(store: SessionStore, calls: RecordedCall[], bot: string): UpdateHandler;
  /** The store key `session()` writes for a chat. */
  plainKey(chatId: number): string;
  /** Which stores to run on. */
  readonly stores: {
    /** A new in-memory store. */
    readonly memory: () => SessionStore;
    /** Redis targets by mode (`standalone`, `cluster`) and URL. */
    readonly redis: readonly (readonly [mode: string, url: string])[];
    /**
     * One bot process's own, warm Redis store on `url` under `namespace`
     * (closed after each test).
     */
    readonly openRedis: (url: string, namespace: string) => Promise<SessionStore>;
  };
}

const RETRY = { baseDelayMs: 1, maxDelayMs: 10, maxAttempts: 200 } as const;

/**
 * Registers the shared scenarios of a Telegram turn adapter. Each prints a
 * result line (`[grammy/memory] updates=… lost=… duplicateReplies=…`).
 */
export function describeTelegramTurns(h: TelegramTurnHarness): void {
  const N_MEMORY = 24;
  const N_REDIS = 30;

  async function stored(store: SessionStore, chatId: number) {
    const got = await store.get(h.turnKey(chatId));
    if (got === null) throw new Error('no session');
    return { data: got.session.data as Counter | undefined, cas: got.cas, session: got.session };
  }

  /** All N updates committed once, each reply sent once, each turn saw a distinct count. */
  function expectEveryUpdateOnce(data: Counter | undefined, calls: RecordedCall[], n: number) {
    expect(data?.count).toBe(n);
    expect([...(data?.updates ?? [])].sort((a, b) => a - b)).toStrictEqual(range(1, n));
    expect(repliedUpdates(calls)).toStrictEqual(range(1, n));
    const counts = replies(calls).map((t) => Number(t.split(' ').pop()));
    expect(new Set(counts).size).toBe(n);
  }

  const duplicates = (calls: RecordedCall[]) =>
    replies(calls).length - new Set(repliedUpdates(calls)).size;

  describe(`${h.name} turnSession on memory, one bot`, () => {
    const bot = (store: SessionStore, calls: RecordedCall[], fail?: (m: string) => boolean) =>
      h.turnBot(store, calls, { bot: 'a', ...RETRY, ...(fail === undefined ? {} : { fail }) });

    it(`${N_MEMORY} concurrent updates for one chat: zero lost, each reply sent exactly once`, async () => {
      const store = h.stores.memory();
      const calls: RecordedCall[] = [];
      const a = bot(store, calls);
      await Promise.all(range(1, N_MEMORY).map((id) => a.handleUpdate(textUpdate(id, 7))));
      const { data, session } = await stored(store, 7);
      expectEveryUpdateOnce(data, calls, N_MEMORY);
      expect(session.cursor).toMatchObject({
        flowId: h.flowId,
        nodeId: 'main',
        outboxSeq: N_MEMORY,
      });
      // keepOutbox keeps the newest 4 entries by default.
      expect(session.outbox.map((e) => e.seq)).toStrictEqual(range(N_MEMORY - 3, 4));
      console.log(
        `[${h.name}/memory] updates=${N_MEMORY} lost=${N_MEMORY - (data?.count ?? 0)} replies=${replies(calls).length} duplicateReplies=${duplicates(calls)}`,
      );
    });

    it('a redelivered update changes nothing and sends nothing, also twice at once', async () => {
      const store = h.stores.memory();
      const calls: RecordedCall[] = [];
      const a = bot(store, calls);
      await a.handleUpdate(textUpdate(1, 8));
      const before = await stored(store, 8);
      const sent = calls.length;
      await a.handleUpdate(textUpdate(1, 8));
      await Promise.all([a.handleUpdate(textUpdate(1, 8)), a.handleUpdate(textUpdate(1, 8))]);
      const after = await stored(store, 8);
      expect(after.cas).toBe(before.cas);
      expect(after.data).toStrictEqual(before.data);
      expect(calls.length).toBe(sent);
    });

    it('the same new update delivered three times at once runs once: one reply, one increment', async () => {
      const store = h.stores.memory();
      const calls: RecordedCall[] = [];
      const a = bot(store, calls);
      await Promise.all([1, 1, 1].map((id) => a.handleUpdate(textUpdate(id, 15))));
      expect((await stored(store, 15)).data).toStrictEqual({ count: 1, updates: [1] });
      expect(replies(calls)).toStrictEqual(['update 1 count 1']);
    });

    it('a throwing handler sends nothing and writes nothing', async () => {
      const store = h.stores.memory();
      const calls: RecordedCall[] = [];
      const a = bot(store, calls);
      await a.handleUpdate(textUpdate(1, 9));
      const before = await stored(store, 9);
      const sent = calls.length;
      await expect(a.handleUpdate(textUpdate(2, 9, '/boom'))).rejects.toThrow('handler failed');
      const after = await stored(store, 9);
      expect(after.cas).toBe(before.cas);
      expect(after.data).toStrictEqual({ count: 1, updates: [1] });
      expect(calls.length).toBe(sent);
    });

    it('a failed delivery rejects the update, keeps the commit and skips the redelivery', async () => {
      const store = h.stores.memory();
      const calls: RecordedCall[] = [];
      const a = bot(store, calls, (m) => m === 'sendMessage');
      await expect(a.handleUpdate(textUpdate(1, 13))).rejects.toThrow('Internal Server Error');
      const { data, cas } = await stored(store, 13);
      expect(data?.count).toBe(1);
      await a.handleUpdate(textUpdate(1, 13));
      expect((await stored(store, 13)).cas).toBe(cas);
      expect(calls).toHaveLength(1);
    });

    it("the framework's own session() with the storage adapter loses updates (baseline)", async () => {
      const store = h.stores.memory();
      const calls: RecordedCall[] = [];
      const a = h.plainBot(store, calls, 'a');
      await Promise.all(range(1, N_MEMORY).map((id) => a.handleUpdate(textUpdate(id, 14))));
      const got = await store.get(h.plainKey(14));
      const count = (got?.session.data as Counter | undefined)?.count ?? 0;
      expect(count).toBeLessThan(N_MEMORY);
      // Every handler replied, including those whose update was then overwritten.
      expect(repliedUpdates(calls)).toStrictEqual(range(1, N_MEMORY));
      console.log(
        `[${h.name} session()+storage/memory baseline] updates=${N_MEMORY} lost=${N_MEMORY - count} replies=${replies(calls).length}`,
      );
    });
  });

  describe.each(h.stores.redis)(
    `${h.name} turnSession on Redis %s, two bot instances`,
    (mode, url) => {
      const opened: SessionStore[] = [];
      const open = async (namespace: string) => {
        const store = await h.stores.openRedis(url, namespace);
        opened.push(store);
        return store;
      };
      afterEach(async () => {
        await Promise.all(opened.splice(0).map((s) => s.close()));
      });

      it.each([
        ['no ttlSecs: a read every turn', undefined],
        ['ttlSecs: turns start from a cache the other bot makes stale', 3600],
      ] as const)(
        `${N_REDIS} concurrent updates for one chat across two bots: zero lost, each reply exactly once, redeliveries and a throwing handler change nothing (%s)`,
        async (_what, ttlSecs) => {
          const ns = `t${randomUUID().slice(0, 8)}`;
          const calls: RecordedCall[] = [];
          const storeA = await open(ns);
          const storeB = await open(ns);
          const retry = { baseDelayMs: 2, maxDelayMs: 20, maxAttempts: 200 };
          const ttl = ttlSecs === undefined ? {} : { ttlSecs };
          const a = h.turnBot(storeA, calls, { bot: 'a', ...retry, ...ttl });
          const b = h.turnBot(storeB, calls, { bot: 'b', ...retry, ...ttl });
          await Promise.all(
            range(1, N_REDIS).map((id) => (id % 2 === 0 ? a : b).handleUpdate(textUpdate(id, 77))),
          );
          const { data } = await stored(storeA, 77);
          expectEveryUpdateOnce(data, calls, N_REDIS);
          expect(new Set(calls.map((c) => c.bot))).toStrictEqual(new Set(['a', 'b']));

          // Redelivery of every update, to the other instance: nothing changes, nothing is sent.
          const before = await stored(storeB, 77);
          const sent = calls.length;
          await Promise.all(
            range(1, N_REDIS).map((id) => (id % 2 === 0 ? b : a).handleUpdate(textUpdate(id, 77))),
          );
          expect((await stored(storeB, 77)).cas).toBe(before.cas);
          expect(calls.length).toBe(sent);

          // A throwing handler sends nothing and writes nothing.
          await expect(a.handleUpdate(textUpdate(N_REDIS + 1, 77, '/boom'))).rejects.toThrow(
            'handler failed',
          );
          expect((await stored(storeA, 77)).cas).toBe(before.cas);
          expect(calls.length).toBe(sent);
          console.log(
            `[${h.name}/redis ${mode} 2 bots] updates=${N_REDIS} lost=${N_REDIS - (data?.count ?? 0)} replies=${replies(calls).length} duplicateReplies=${duplicates(calls)} redelivered=${N_REDIS} redeliveredSent=${calls.length - sent}`,
          );
        },
      );

      it("the framework's own session() with the storage adapter on two bots loses updates (baseline)", async () => {
        const ns = `t${randomUUID().slice(0, 8)}`;
        const calls: RecordedCall[] = [];
        const stores = [await open(ns), await open(ns)];
        const bots = stores.map((store, i) => h.plainBot(store, calls, `p${i}`));
        await Promise.all(
          range(1, N_REDIS).map((id) => bots[id % 2]?.handleUpdate(textUpdate(id, 78))),
        );
        const got = await stores[0]?.get(h.plainKey(78));
        const count = (got?.session.data as Counter | undefined)?.count ?? 0;
        expect(count).toBeLessThan(N_REDIS);
        console.log(
          `[${h.name} session()+storage/redis ${mode} 2 bots baseline] updates=${N_REDIS} lost=${N_REDIS - count} replies=${replies(calls).length}`,
        );
      });
    },
  );
}
