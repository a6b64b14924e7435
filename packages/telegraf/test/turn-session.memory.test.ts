import { InMemorySessionStore } from '@greentic/session-memory';
import { type Counter, type RecordedCall, textUpdate } from '@greentic/session-test-suite/telegram';
import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { telegrafSessionStore, turnSession } from '../src/index.js';
import { type CounterContext, offlineBot } from './helpers.js';

const initial = (): Counter => ({ count: 0, updates: [] });

// The scenarios every Telegram adapter shares (concurrency, redelivery, a
// throwing handler, a failed delivery, the session() baseline) are in
// turn-scenarios.integration.test.ts; these are Telegraf's own.
describe('turnSession on memory, one Telegraf bot', () => {
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
