import { InMemorySessionStore } from '@greentic/session-memory';
import { SessionError } from '@greentic/session-types';
import { ConversationState, TestAdapter } from 'botbuilder-core';
import { describe, expect, it } from 'vitest';
import { createBotTurnHandler, GreenticStorage } from '../src/index.js';
import {
  type Counter,
  countingLogic,
  initial,
  message,
  range,
  repliedIds,
  replies,
  sleep,
  turnAdapter,
} from './helpers.js';

const N = 24;
const KEY = 'botbuilder:test:Convo1';

async function stored(store: InMemorySessionStore) {
  const got = await store.get(KEY);
  if (got === null) throw new Error('no session');
  return { data: got.session.data as Counter | undefined, cas: got.cas, session: got.session };
}

describe('createBotTurnHandler on memory, one TestAdapter', () => {
  it(`${N} concurrent activities in one conversation: zero lost, each reply sent exactly once`, async () => {
    const store = new InMemorySessionStore();
    const adapter = turnAdapter(store);
    await Promise.all(range(1, N).map((id) => adapter.processActivity(message(String(id)))));
    const { data, session } = await stored(store);
    expect(data?.count).toBe(N);
    expect(data?.activities.map(Number).sort((a, b) => a - b)).toStrictEqual(range(1, N));
    const texts = replies(adapter);
    expect(repliedIds(texts)).toStrictEqual(range(1, N));
    expect(new Set(texts.map((t) => t.split(' ').pop())).size).toBe(N);
    expect(session.cursor).toMatchObject({ flowId: 'botbuilder', nodeId: 'main', outboxSeq: N });
    console.log(
      `[botbuilder/memory] updates=${N} lost=${N - (data?.count ?? 0)} replies=${texts.length} duplicateReplies=${texts.length - new Set(repliedIds(texts)).size}`,
    );
  });

  it('a redelivered activity changes nothing and sends nothing', async () => {
    const store = new InMemorySessionStore();
    const adapter = turnAdapter(store);
    await adapter.processActivity(message('1'));
    const before = await stored(store);
    await Promise.all([
      adapter.processActivity(message('1')),
      adapter.processActivity(message('1')),
    ]);
    expect((await stored(store)).cas).toBe(before.cas);
    expect(replies(adapter)).toHaveLength(1);
  });

  it('logic that throws sends nothing and writes nothing', async () => {
    const store = new InMemorySessionStore();
    const adapter = turnAdapter(store);
    await adapter.processActivity(message('1'));
    const before = await stored(store);
    await expect(adapter.processActivity(message('2', 'boom'))).rejects.toThrow('logic failed');
    const after = await stored(store);
    expect(after.cas).toBe(before.cas);
    expect(after.data).toStrictEqual({ count: 1, activities: ['1'] });
    expect(replies(adapter)).toHaveLength(1);
  });

  it('buffers update and delete too, and performs them after the commit in order', async () => {
    const store = new InMemorySessionStore();
    const order: string[] = [];
    let adapter: TestAdapter;
    const handler = createBotTurnHandler<Counter>(
      { store, tenantId: 'acme', initial },
      async (ctx, turn) => {
        const r = await ctx.sendActivity('one');
        expect(r).toStrictEqual({ id: '' });
        await ctx.updateActivity({ id: 'x', text: 'edited', type: 'message' });
        await ctx.deleteActivity('y');
        expect(ctx.responded).toBe(false);
        (turn.data as Counter).count = 1;
        order.push(`logic done: ${adapter.activeQueue.map((a) => a.text).join(',')}`);
      },
    );
    adapter = new TestAdapter(async (ctx) => {
      const result = await handler(ctx);
      expect(result.status).toBe('committed');
      expect(ctx.responded).toBe(true);
      order.push(`committed: ${adapter.activeQueue.map((a) => a.text).join(',')}`);
      await ctx.sendActivity('after the turn');
    });
    adapter.activeQueue.push({ id: 'x', text: 'original', type: 'message' });
    adapter.activeQueue.push({ id: 'y', text: 'gone', type: 'message' });
    await adapter.processActivity(message('1'));
    expect(order).toStrictEqual(['logic done: original,gone', 'committed: edited,one']);
    expect(adapter.activeQueue.map((a) => a.text)).toStrictEqual([
      'edited',
      'one',
      'after the turn',
    ]);
    expect((await stored(store)).session.outbox).toHaveLength(3);
  });

  it('rejects bad options, and activities without key or id', async () => {
    const store = new InMemorySessionStore();
    for (const bad of [
      null,
      { store, tenantId: 'acme', getSessionKey: 1 },
      { store, tenantId: 'acme', getEventId: 1 },
      { store, tenantId: 'acme', flowId: 'mine' },
      { store },
      Object.defineProperty({ store }, 'tenantId', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      }),
    ]) {
      expect(() => createBotTurnHandler(bad as never, countingLogic)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
    }
    expect(() => createBotTurnHandler({ store, tenantId: 'acme' }, 1 as never)).toThrow(
      SessionError,
    );
    for (const opts of [{ getSessionKey: () => undefined }, { getEventId: () => undefined }]) {
      const handler = createBotTurnHandler({ store, tenantId: 'acme', ...opts }, () => {});
      const adapter = new TestAdapter(async (ctx) => {
        await handler(ctx);
      });
      await expect(adapter.processActivity(message('1'))).rejects.toThrow(SessionError);
    }
  });
});

describe('GreenticStorage', () => {
  it('reads items with an id:cas eTag and writes them back with compare-and-set', async () => {
    const store = new InMemorySessionStore();
    const storage = new GreenticStorage({ store, tenantId: 'acme', ttlSecs: 60 });
    expect(await storage.read(['a'])).toStrictEqual({});
    await storage.write({ a: { n: 1 } });
    const first = await storage.read(['a', 'missing']);
    expect(Object.keys(first)).toStrictEqual(['a']);
    expect(first.a.eTag).toMatch(/^[0-9a-f-]{36}:\d+$/);
    await storage.write({ a: { ...first.a, n: 2 } });
    // The same (now stale) eTag again: conflict, nothing written.
    await expect(storage.write({ a: { ...first.a, n: 3 } })).rejects.toMatchObject({
      code: 'conflict',
    });
    const second = await storage.read(['a']);
    expect(second.a.n).toBe(2);
    // Deleted and recreated: an eTag from before the delete no longer matches.
    await storage.delete(['a']);
    await storage.write({ a: { n: 10 } });
    await expect(storage.write({ a: { ...second.a, n: 4 } })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await store.get('botbuilder:a'))?.session.ttlSecs).toBe(60);
  });

  it('reads items the bot may change, and a key named __proto__ like any other', async () => {
    const store = new InMemorySessionStore();
    const storage = new GreenticStorage({ store, tenantId: 'acme' });
    const proto = '__proto__';
    await storage.write({ a: { n: 1, list: [{ x: 1 }] }, [proto]: { n: 7 } });
    const items = await storage.read(['a', proto]);
    expect(Object.getPrototypeOf(items)).toBe(Object.prototype);
    expect(Object.keys(items)).toStrictEqual(['a', proto]);
    expect(Object.getOwnPropertyDescriptor(items, proto)?.value).toMatchObject({ n: 7 });
    // BotState changes what it read in place; nothing of it reaches the store.
    items.a.n = 2;
    items.a.list[0].x = 2;
    items.a.list.push({ x: 3 });
    expect((await store.get('botbuilder:a'))?.session.data).toStrictEqual({
      n: 1,
      list: [{ x: 1 }],
    });
  });

  it("'*' overwrites by default, and is refused over an existing item with unconditionalWrites: 'reject'", async () => {
    const store = new InMemorySessionStore();
    const lax = new GreenticStorage({ store: store.forTenant('acme') });
    await lax.write({ b: { n: 1, eTag: '*' } });
    await lax.write({ b: { n: 2, eTag: '*' } });
    expect((await lax.read(['b'])).b.n).toBe(2);
    const strict = new GreenticStorage({ store, tenantId: 'acme', unconditionalWrites: 'reject' });
    await expect(strict.write({ b: { n: 3, eTag: '*' } })).rejects.toMatchObject({
      code: 'conflict',
    });
    await strict.write({ c: { n: 1 } });
    const c = await strict.read(['c']);
    await strict.write({ c: { ...c.c, n: 2 } });
    expect((await strict.read(['c'])).c.n).toBe(2);
  });

  it('ConversationState on it still loses concurrent updates (BotState writes eTag *): the baseline', async () => {
    const store = new InMemorySessionStore();
    const state = new ConversationState(new GreenticStorage({ store, tenantId: 'acme' }));
    const counter = state.createProperty<{ count: number }>('counter');
    const adapter = new TestAdapter(async (ctx) => {
      const c = await counter.get(ctx, { count: 0 });
      await sleep(1 + Math.floor(Math.random() * 8));
      c.count += 1;
      await ctx.sendActivity(`count ${c.count}`);
      await state.saveChanges(ctx);
    });
    await Promise.all(range(1, N).map((id) => adapter.processActivity(message(String(id)))));
    const items = await new GreenticStorage({ store, tenantId: 'acme' }).read([
      'test/conversations/Convo1/',
    ]);
    const count = (items['test/conversations/Convo1/']?.counter?.count as number | undefined) ?? 0;
    expect(count).toBeLessThan(N);
    console.log(
      `[botbuilder ConversationState+GreenticStorage/memory baseline] updates=${N} lost=${N - count}`,
    );
  });

  it('rejects bad options and arguments with invalid_input', async () => {
    const store = new InMemorySessionStore();
    for (const bad of [
      null,
      { store: null, tenantId: 'a' },
      { store, tenantId: 'a', prefix: 1 },
      { store, tenantId: 'a', ttlSecs: -1 },
      { store, tenantId: 'a', unconditionalWrites: 'maybe' },
      { store, tenantId: 'a', other: 1 },
      { store },
    ]) {
      expect(() => new GreenticStorage(bad as never)).toThrow(SessionError);
    }
    const storage = new GreenticStorage({ store, tenantId: 'a' });
    await expect(storage.read('x' as never)).rejects.toThrow(SessionError);
    await expect(storage.delete('x' as never)).rejects.toThrow(SessionError);
    await expect(storage.write(null as never)).rejects.toThrow(SessionError);
    await expect(storage.write({ k: 1 })).rejects.toThrow(SessionError);
    await expect(storage.read([1] as never)).rejects.toThrow(SessionError);
    expect(() => new GreenticStorage({ store: store.forTenant('a'), tenantId: 'b' })).toThrow(
      expect.objectContaining({ code: 'tenant_mismatch' }),
    );
  });

  it('a write whose changes throw while read writes nothing at all, and says invalid_input', async () => {
    const store = new InMemorySessionStore();
    const storage = new GreenticStorage({ store, tenantId: 'a' });
    const changes: Record<string, unknown> = { first: { n: 1 } };
    Object.defineProperty(changes, 'second', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    await expect(storage.write(changes as never)).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    const item: Record<string, unknown> = { n: 2 };
    Object.defineProperty(item, 'eTag', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    await expect(storage.write({ first: { n: 1 }, second: item } as never)).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    // Deeper down too: a nested getter, a Proxy trap, a value JSON cannot hold.
    const nested: Record<string, unknown> = {};
    Object.defineProperty(nested, 'x', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    for (const bad of [{ nested }, { list: [trap] }, { when: new Date() }, { n: 10n }]) {
      await expect(storage.write({ first: { n: 1 }, second: bad } as never)).rejects.toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
    }
    expect(await store.get('botbuilder:first')).toBeNull();
  });

  it('keys are read once, as strings: an object key cannot run code or name another key', async () => {
    const store = new InMemorySessionStore();
    const storage = new GreenticStorage({ store, tenantId: 'a' });
    await storage.write({ k: { n: 1 } });
    let calls = 0;
    const sly = {
      toString() {
        calls++;
        return 'k';
      },
    };
    await expect(storage.read([sly] as never)).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    await expect(storage.delete(['x', sly] as never)).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    expect(calls).toBe(0);
    expect(await store.get('botbuilder:k')).not.toBeNull();
  });
});
