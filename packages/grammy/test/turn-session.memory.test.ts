import { InMemorySessionStore } from '@greentic/session-memory';
import { type Counter, type RecordedCall, textUpdate } from '@greentic/session-test-suite/telegram';
import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { sessionStorage, turnSession } from '../src/index.js';
import { type CounterContext, offlineBot } from './helpers.js';

const initial = (): Counter => ({ count: 0, updates: [] });

async function storedData(store: InMemorySessionStore, chatId: number) {
  const got = await store.get(`grammy:4242:${chatId}`);
  if (got === null) throw new Error('no session');
  return { data: got.session.data as Counter | undefined, cas: got.cas, session: got.session };
}

// The scenarios every Telegram adapter shares (concurrency, redelivery, a
// throwing handler, a failed delivery, the session() baseline) are in
// turn-scenarios.integration.test.ts; these are grammY's own.
describe('turnSession on memory, one bot', () => {
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
