import { InMemorySessionStore } from '@greentic/session-memory';
import { SessionError } from '@greentic/session-types';
import { session } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { telegrafSessionStore, turnSession } from '../src/index.js';
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
  turns.command('boom', async (ctx) => {
    ctx.session.count = 100;
    await ctx.reply('about to fail');
    throw new Error('handler failed');
  });
  turns.on('text', countingHandler);
  bot.use(turns);
  return bot;
}

async function storedData(store: InMemorySessionStore, chatId: number) {
  const got = await store.get(`telegraf:4343:${chatId}`);
  if (got === null) throw new Error('no session');
  return { data: got.session.data as Counter | undefined, cas: got.cas, session: got.session };
}

describe('turnSession on memory, one Telegraf bot', () => {
  it(`${N} concurrent updates for one chat: zero lost, each reply sent exactly once`, async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = turnBot(store, calls);
    await Promise.all(range(1, N).map((id) => bot.handleUpdate(textUpdate(id, 7))));
    const { data, session: s } = await storedData(store, 7);
    expect(data?.count).toBe(N);
    expect([...(data?.updates ?? [])].sort((a, b) => a - b)).toStrictEqual(range(1, N));
    expect(repliedUpdates(calls)).toStrictEqual(range(1, N));
    const counts = replies(calls).map((t) => Number(t.split(' ').pop()));
    expect(new Set(counts).size).toBe(N);
    expect(s.cursor).toMatchObject({ flowId: 'telegraf', nodeId: 'main', outboxSeq: N });
    console.log(
      `[telegraf/memory] updates=${N} lost=${N - (data?.count ?? 0)} replies=${replies(calls).length} duplicateReplies=${replies(calls).length - new Set(repliedUpdates(calls)).size}`,
    );
  });

  it('a redelivered update changes nothing and sends nothing', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = turnBot(store, calls);
    await bot.handleUpdate(textUpdate(1, 8));
    const before = await storedData(store, 8);
    const sent = calls.length;
    await Promise.all([bot.handleUpdate(textUpdate(1, 8)), bot.handleUpdate(textUpdate(1, 8))]);
    const after = await storedData(store, 8);
    expect(after.cas).toBe(before.cas);
    expect(calls.length).toBe(sent);
  });

  it('a throwing handler sends nothing and writes nothing', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = turnBot(store, calls);
    await bot.handleUpdate(textUpdate(1, 9));
    const before = await storedData(store, 9);
    const sent = calls.length;
    await expect(bot.handleUpdate(textUpdate(2, 9, '/boom'))).rejects.toThrow('handler failed');
    const after = await storedData(store, 9);
    expect(after.cas).toBe(before.cas);
    expect(after.data).toStrictEqual({ count: 1, updates: [1] });
    expect(calls.length).toBe(sent);
  });

  it('get* calls go out at once, others resolve to placeholders and go out after the commit', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = offlineBot('a', calls);
    const seen: unknown[] = [];
    bot.use(
      turnSession<Counter, CounterContext>(
        { store, tenantId: 'acme', initial },
        async (ctx, next) => {
          await ctx.telegram.getChat(1);
          const msg = await ctx.reply('first');
          seen.push(msg.message_id, calls.length);
          ctx.session.count = 3;
          await next();
        },
      ),
    );
    bot.use(async (ctx) => {
      seen.push(calls.length, ctx.session.count);
      expect(() => {
        ctx.session = initial();
      }).toThrow(SessionError);
      await ctx.reply('after');
    });
    await bot.handleUpdate(textUpdate(1, 10));
    expect(seen).toStrictEqual([0, 1, 2, 3]);
    expect(calls.map((c) => c.method)).toStrictEqual(['getChat', 'sendMessage', 'sendMessage']);
  });

  it('an update without a chat runs without a turn and ctx.session throws', async () => {
    const store = new InMemorySessionStore();
    const bot = offlineBot('a', []);
    let error: unknown;
    bot.use(
      turnSession<Counter, CounterContext>({ store, tenantId: 'acme', initial }, (ctx) => {
        try {
          void ctx.session;
        } catch (err) {
          error = err;
        }
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
    } as Parameters<typeof bot.handleUpdate>[0]);
    expect(SessionError.isInstance(error)).toBe(true);
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

describe("Telegraf's own session() with telegrafSessionStore (the baseline)", () => {
  it('loses updates under concurrency: the problem turnSession solves', async () => {
    const store = new InMemorySessionStore();
    const calls: RecordedCall[] = [];
    const bot = offlineBot('a', calls);
    bot.use(
      session({
        defaultSession: initial,
        store: telegrafSessionStore<Counter>({ store, tenantId: 'acme', prefix: '' }),
      }),
    );
    bot.on('text', countingHandler);
    await Promise.all(range(1, N).map((id) => bot.handleUpdate(textUpdate(id, 14))));
    const got = await store.get('14:14');
    const count = (got?.session.data as Counter | undefined)?.count ?? 0;
    expect(count).toBeLessThan(N);
    expect(repliedUpdates(calls)).toStrictEqual(range(1, N));
    console.log(
      `[telegraf session()+telegrafSessionStore/memory baseline] updates=${N} lost=${N - count} replies=${replies(calls).length}`,
    );
  });
});

describe('telegrafSessionStore', () => {
  it('gets undefined, sets, gets a mutable copy, deletes', async () => {
    const store = new InMemorySessionStore();
    const s = telegrafSessionStore<Counter>({ store: store.forTenant('acme'), ttlSecs: 30 });
    expect(await s.get('1')).toBeUndefined();
    await s.set('1', { count: 1, updates: [] });
    const got = await s.get('1');
    got?.updates.push(1);
    await s.set('1', { count: 2, updates: [1] });
    expect(await s.get('1')).toStrictEqual({ count: 2, updates: [1] });
    expect((await store.get('telegraf:1'))?.session.ttlSecs).toBe(30);
    await s.delete('1');
    expect(await s.get('1')).toBeUndefined();
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
      expect(() => telegrafSessionStore(bad as never)).toThrow(SessionError);
    }
  });

  it("refuses a tenantId that is not the given view's tenant instead of ignoring it", () => {
    const store = new InMemorySessionStore();
    expect(() =>
      telegrafSessionStore({ store: store.forTenant('acme'), tenantId: 'globex' }),
    ).toThrow(expect.objectContaining({ code: 'tenant_mismatch' }));
  });
});
