import { InMemorySessionStore } from '@greentic/session-memory';
import { SessionError } from '@greentic/session-types';
import { session } from 'grammy';
import { describe, expect, it } from 'vitest';
import { sessionStorage, turnSession } from '../src/index.js';
import {
  type Counter,
  type CounterContext,
  countingHandler,
  offlineBot,
  type RecordedCall,
  range,
  repliedUpdates,
  replies,
  textUpdate,
} from './helpers.js';

const initial = (): Counter => ({ count: 0, updates: [] });
const N = 24;

function turnBot(
  store: InMemorySessionStore,
  calls: RecordedCall[],
  fail?: (m: string) => boolean,
) {
  const bot = offlineBot('a', calls, fail);
  const turns = turnSession<Counter, CounterContext>({
    store,
    tenantId: 'acme',
    initial,
    baseDelayMs: 1,
    maxDelayMs: 10,
    maxAttempts: 200,
  });
  turns.on('message:text', countingHandler);
  bot.use(turns);
  return bot;
}

async function storedData(store: InMemorySessionStore, chatId: number) {
  const got = await store.get(`grammy:4242:${chatId}`);
  if (got === null) throw new Error('no session');
  return { data: got.session.data as Counter | undefined, cas: got.cas, session: got.session };
}

describe('turnSession on memory, one bot', () => {
  it(`${N} concurrent updates for one chat: zero lost, each reply sent exactly once`, async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = turnBot(store, calls);
    await Promise.all(range(1, N).map((id) => bot.handleUpdate(textUpdate(id, 7))));
    const { data, session } = await storedData(store, 7);
    expect(data?.count).toBe(N);
    expect([...(data?.updates ?? [])].sort((a, b) => a - b)).toStrictEqual(range(1, N));
    expect(repliedUpdates(calls)).toStrictEqual(range(1, N));
    // Each committed turn saw a distinct count: no two turns read the same state.
    const counts = replies(calls).map((t) => Number(t.split(' ').pop()));
    expect(new Set(counts).size).toBe(N);
    expect(session.cursor).toMatchObject({ flowId: 'grammy', nodeId: 'main', outboxSeq: N });
    // keepOutbox keeps the newest 4 entries by default.
    expect(session.outbox.map((e) => e.seq)).toStrictEqual([N - 3, N - 2, N - 1, N]);
    console.log(
      `[grammy/memory] updates=${N} lost=${N - (data?.count ?? 0)} replies=${replies(calls).length} duplicateReplies=${replies(calls).length - new Set(repliedUpdates(calls)).size}`,
    );
  });

  it('a redelivered update changes nothing and sends nothing', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = turnBot(store, calls);
    await bot.handleUpdate(textUpdate(1, 8));
    const before = await storedData(store, 8);
    const sent = calls.length;
    await bot.handleUpdate(textUpdate(1, 8));
    await Promise.all([bot.handleUpdate(textUpdate(1, 8)), bot.handleUpdate(textUpdate(1, 8))]);
    const after = await storedData(store, 8);
    expect(after.cas).toBe(before.cas);
    expect(after.data).toStrictEqual(before.data);
    expect(calls.length).toBe(sent);
  });

  it('the same update delivered twice at once runs once: one reply, one increment', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = turnBot(store, calls);
    await Promise.all([1, 1, 1].map((id) => bot.handleUpdate(textUpdate(id, 15))));
    const { data } = await storedData(store, 15);
    expect(data).toStrictEqual({ count: 1, updates: [1] });
    expect(replies(calls)).toStrictEqual(['update 1 count 1']);
  });

  it('a throwing handler sends nothing and writes nothing', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = offlineBot('a', calls);
    const turns = turnSession<Counter, CounterContext>({ store, tenantId: 'acme', initial });
    turns.command('boom', async (ctx) => {
      ctx.session.count = 100;
      await ctx.reply('about to fail');
      throw new Error('handler failed');
    });
    turns.on('message:text', countingHandler);
    bot.use(turns);
    await bot.handleUpdate(textUpdate(1, 9));
    const before = await storedData(store, 9);
    const sent = calls.length;
    await expect(bot.handleUpdate(textUpdate(2, 9, '/boom'))).rejects.toThrow('handler failed');
    const after = await storedData(store, 9);
    expect(after.cas).toBe(before.cas);
    expect(after.data).toStrictEqual({ count: 1, updates: [1] });
    expect(calls.length).toBe(sent);
  });

  it('buffered calls resolve to placeholders during the turn; get* calls are performed at once', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = offlineBot('a', calls);
    const seen: unknown[] = [];
    bot.use(
      turnSession<Counter, CounterContext>({ store, tenantId: 'acme', initial }, async (ctx) => {
        await ctx.api.getChat(1);
        expect(calls.map((c) => c.method)).toStrictEqual(['getChat']);
        const msg = await ctx.reply('first');
        seen.push(msg.message_id, msg.text);
        seen.push(await ctx.api.copyMessage(1, 2, 3));
        seen.push(await ctx.api.sendMediaGroup(1, []));
        seen.push(await ctx.api.sendChatAction(1, 'typing'));
        seen.push(await ctx.api.setMyCommands([]));
        expect(calls).toHaveLength(1);
      }),
    );
    await bot.handleUpdate(textUpdate(1, 10));
    expect(seen).toStrictEqual([0, 'first', { message_id: 0 }, [], true, true]);
    expect(calls.map((c) => c.method)).toStrictEqual([
      'getChat',
      'sendMessage',
      'copyMessage',
      'sendMediaGroup',
      'sendChatAction',
      'setMyCommands',
    ]);
    const { session } = await storedData(store, 10);
    expect(session.outbox).toHaveLength(5);
  });

  it('next() runs the later middleware once, after the commit, outside the turn', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = offlineBot('a', calls);
    const order: string[] = [];
    bot.use(
      turnSession<Counter, CounterContext>(
        { store, tenantId: 'acme', initial },
        async (ctx, next) => {
          ctx.session.count += 1;
          await ctx.reply('in turn');
          order.push('turn');
          await next();
        },
      ),
    );
    bot.use(async (ctx) => {
      order.push(`after:${calls.length}`);
      expect(ctx.session.count).toBe(1);
      expect(() => {
        ctx.session = { count: 5, updates: [] };
      }).toThrow(SessionError);
      await ctx.reply('after turn');
      order.push(`sent:${calls.length}`);
    });
    await bot.handleUpdate(textUpdate(1, 11));
    expect(order).toStrictEqual(['turn', 'after:1', 'sent:2']);
  });

  it('assigning ctx.session replaces the data', async () => {
    const store = new InMemorySessionStore();
    const bot = offlineBot('a', []);
    bot.use(
      turnSession<Counter, CounterContext>({ store, tenantId: 'acme', initial }, (ctx) => {
        ctx.session = { count: 41, updates: [ctx.update.update_id] };
      }),
    );
    await bot.handleUpdate(textUpdate(5, 12));
    expect((await storedData(store, 12)).data).toStrictEqual({ count: 41, updates: [5] });
  });

  it('an update without a chat runs without a turn and ctx.session throws', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = offlineBot('a', calls);
    let error: unknown;
    bot.use(
      turnSession<Counter, CounterContext>({ store, tenantId: 'acme', initial }, async (ctx) => {
        try {
          void ctx.session;
        } catch (err) {
          error = err;
        }
        await ctx.api.sendMessage(1, 'direct');
      }),
    );
    await bot.handleUpdate({
      update_id: 1,
      inline_query: {
        id: 'q',
        from: { id: 1, is_bot: false, first_name: 'U' },
        query: '',
        offset: '',
      },
    });
    expect(SessionError.isInstance(error)).toBe(true);
    expect(calls.map((c) => c.method)).toStrictEqual(['sendMessage']);
  });

  it('a failed delivery rejects the update, keeps the commit and skips the redelivery', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = turnBot(store, calls, (m) => m === 'sendMessage');
    await expect(bot.handleUpdate(textUpdate(1, 13))).rejects.toThrow('Internal Server Error');
    const { data, cas } = await storedData(store, 13);
    expect(data?.count).toBe(1);
    await bot.handleUpdate(textUpdate(1, 13));
    expect((await storedData(store, 13)).cas).toBe(cas);
    expect(calls).toHaveLength(1);
  });

  it('rejects bad options with invalid_input', () => {
    const store = new InMemorySessionStore();
    for (const bad of [
      null,
      { store, tenantId: 'acme', getSessionKey: 1 },
      { store, tenantId: 'acme', passthrough: 1 },
      { store },
    ]) {
      expect(() => turnSession(bad as never)).toThrow(SessionError);
    }
  });
});

describe("grammY's own session() with sessionStorage (the baseline)", () => {
  it('loses updates under concurrency: the problem turnSession solves', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = offlineBot('a', calls);
    bot.use(session({ initial, storage: sessionStorage<Counter>({ store, tenantId: 'acme' }) }));
    bot.on('message:text', countingHandler);
    await Promise.all(range(1, N).map((id) => bot.handleUpdate(textUpdate(id, 14))));
    const got = await store.get('grammy:14');
    const count = (got?.session.data as Counter | undefined)?.count ?? 0;
    expect(count).toBeLessThan(N);
    // Every handler replied, including those whose update was then overwritten.
    expect(repliedUpdates(calls)).toStrictEqual(range(1, N));
    console.log(
      `[grammy session()+sessionStorage/memory baseline] updates=${N} lost=${N - count} replies=${replies(calls).length}`,
    );
  });
});

describe('sessionStorage', () => {
  it('reads undefined, writes, reads a mutable copy, has, deletes', async () => {
    const store = new InMemorySessionStore();
    const storage = sessionStorage<Counter>({ store, tenantId: 'acme', ttlSecs: 30 });
    expect(await storage.read('1')).toBeUndefined();
    await storage.write('1', { count: 1, updates: [] });
    const got = await storage.read('1');
    expect(got).toStrictEqual({ count: 1, updates: [] });
    got?.updates.push(1);
    await storage.write('1', { count: 2, updates: [1] });
    expect(await storage.read('1')).toStrictEqual({ count: 2, updates: [1] });
    expect((await store.get('grammy:1'))?.session.ttlSecs).toBe(30);
    expect(await storage.has?.('1')).toBe(true);
    await storage.delete('1');
    expect(await storage.has?.('1')).toBe(false);
  });

  it('works on a tenant view and with a custom prefix', async () => {
    const store = new InMemorySessionStore();
    const storage = sessionStorage<Counter>({ store: store.forTenant('acme'), prefix: 'x:' });
    await storage.write('2', { count: 3, updates: [] });
    expect((await store.get('x:2', { tenantId: 'acme' }))?.session.meta.tenantId).toBe('acme');
  });

  it('rejects bad options with invalid_input', () => {
    const store = new InMemorySessionStore();
    for (const bad of [
      null,
      { store: null, tenantId: 'a' },
      { store, tenantId: 'a', prefix: 1 },
      { store, tenantId: 'a', ttlSecs: -1 },
      { store, tenantId: 'a', other: 1 },
      { store },
    ]) {
      expect(() => sessionStorage(bad as never)).toThrow(SessionError);
    }
  });

  it("refuses a tenantId that is not the given view's tenant instead of ignoring it", () => {
    const store = new InMemorySessionStore();
    expect(() => sessionStorage({ store: store.forTenant('acme'), tenantId: 'globex' })).toThrow(
      expect.objectContaining({ code: 'tenant_mismatch' }),
    );
  });
});
