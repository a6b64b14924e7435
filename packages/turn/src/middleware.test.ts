import { InMemorySessionStore } from '@greentic/session-memory';
import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { createTurnMiddleware, describeCall } from './middleware.js';
import { isReadOnlyMethod, placeholderResult } from './telegram.js';

/** A tiny framework: a context that sends through `send`. */
interface FakeCtx {
  chatId: number;
  updateId: number;
  session?: { count: number };
  send: (method: string, payload: { text?: string }) => Promise<unknown>;
}

function setup(
  sent: string[],
  getSessionKey?: (ctx: FakeCtx) => string | undefined | Promise<string | undefined>,
) {
  const undone: number[] = [];
  const store = new InMemorySessionStore();
  const run = createTurnMiddleware<{ count: number }, FakeCtx>(
    {
      store,
      tenantId: 'acme',
      initial: () => ({ count: 0 }),
      ...(getSessionKey && { getSessionKey }),
    },
    {
      pkg: 'fake-adapter',
      flowId: 'fake',
      defaultSessionKey: (ctx) => (ctx.chatId === 0 ? undefined : `fake:${ctx.chatId}`),
      defaultPassthrough: isReadOnlyMethod,
      eventId: (ctx) => ctx.updateId,
      intercept: (ctx, current, passthrough) => {
        const send = ctx.send;
        ctx.send = (method, payload) => {
          const turn = current();
          if (turn === undefined || !turn.open || passthrough(method)) return send(method, payload);
          turn.effect(describeCall(method, payload), () => send(method, payload));
          return Promise.resolve(placeholderResult(method, payload));
        };
        return () => {
          undone.push(ctx.updateId);
          ctx.send = send;
        };
      },
    },
  );
  const ctx = (chatId: number, updateId: number): FakeCtx => ({
    chatId,
    updateId,
    send: async (method, payload) => {
      sent.push(`${method}:${payload.text ?? ''}`);
      return true;
    },
  });
  return { store, run, ctx, undone };
}

const counting = async (c: FakeCtx, next: () => Promise<void>) => {
  if (c.session === undefined) throw new Error('no session');
  c.session.count += 1;
  const reply = await c.send('sendMessage', { text: `count ${c.session.count}` });
  // The placeholder, not the framework's answer: the message is not sent yet.
  expect(reply).toMatchObject({ message_id: 0, text: `count ${c.session.count}` });
  await c.send('getChat', {});
  await next();
};

describe('createTurnMiddleware', () => {
  it('buffers sends until the commit, passes reads through, runs next after delivery, undoes the routing', async () => {
    const sent: string[] = [];
    const { store, run, ctx, undone } = setup(sent);
    const after: string[] = [];
    const c = ctx(7, 1);
    await run(c, counting, async () => {
      after.push([...sent].join(','));
    });
    expect(sent).toStrictEqual(['getChat:', 'sendMessage:count 1']);
    expect(after).toStrictEqual(['getChat:,sendMessage:count 1']);
    expect(undone).toStrictEqual([1]);
    expect((await store.get('fake:7'))?.session).toMatchObject({
      data: { count: 1 },
      cursor: { flowId: 'fake', outboxSeq: 1 },
    });
    // The turn is over: the draft can no longer be replaced.
    expect(() => {
      c.session = { count: 9 };
    }).toThrow(SessionError);
    // A redelivery sends nothing and does not reach next.
    await run(ctx(7, 1), counting, async () => {
      after.push('again');
    });
    expect(sent).toHaveLength(2);
    expect(after).toHaveLength(1);
  });

  it('a throwing handler sends and writes nothing, and the routing is still undone', async () => {
    const sent: string[] = [];
    const { store, run, ctx, undone } = setup(sent);
    const boom = async (c: FakeCtx) => {
      await c.send('sendMessage', { text: 'never' });
      throw new Error('boom');
    };
    await expect(run(ctx(8, 5), boom, async () => {})).rejects.toThrow('boom');
    expect(sent).toStrictEqual([]);
    expect(undone).toStrictEqual([5]);
    expect(await store.get('fake:8')).toBeNull();
  });

  it('an update without a session key runs without a turn; reading ctx.session throws invalid_input', async () => {
    const sent: string[] = [];
    const { run, ctx } = setup(sent);
    const c = ctx(0, 3);
    let code: string | undefined;
    await run(
      c,
      async (x, next) => {
        try {
          void x.session;
        } catch (err) {
          code = SessionError.isInstance(err) ? err.code : 'other';
        }
        await x.send('sendMessage', { text: 'direct' });
        await next();
      },
      async () => {},
    );
    expect(code).toBe('invalid_input');
    expect(sent).toStrictEqual(['sendMessage:direct']);
  });

  it('each context reads and replaces its own draft while two turns interleave', async () => {
    const { store, run, ctx } = setup([]);
    const a = ctx(11, 1);
    const b = ctx(12, 2);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived = 0;
    const handler = (start: number) => async (c: FakeCtx) => {
      c.session = { count: start };
      // Both drafts are assigned before either handler reads its own again.
      if (++arrived === 2) release();
      await gate;
      if (c.session === undefined) throw new Error('no session');
      c.session.count += 1;
    };
    await Promise.all([run(a, handler(10), async () => {}), run(b, handler(20), async () => {})]);
    expect((await store.get('fake:11'))?.session.data).toStrictEqual({ count: 11 });
    expect((await store.get('fake:12'))?.session.data).toStrictEqual({ count: 21 });
    expect([a.session, b.session]).toStrictEqual([{ count: 11 }, { count: 21 }]);
  });

  it('waits for a getSessionKey that answers with a promise', async () => {
    const sent: string[] = [];
    const { store, run, ctx } = setup(sent, async (c) =>
      c.chatId === 0 ? undefined : `later:${c.chatId}`,
    );
    await run(ctx(9, 1), counting, async () => {});
    expect((await store.get('later:9'))?.session.data).toStrictEqual({ count: 1 });
    expect(sent).toStrictEqual(['getChat:', 'sendMessage:count 1']);
    // A promise of undefined: no turn, `ctx.session` is not there.
    await expect(run(ctx(0, 2), counting, async () => {})).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    expect(await store.get('fake:0')).toBeNull();
  });

  it('rejects bad options with invalid_input', () => {
    const store = new InMemorySessionStore();
    const adapter = {
      pkg: 'p',
      flowId: 'f',
      defaultSessionKey: () => 'k',
      defaultPassthrough: () => false,
      eventId: () => 1,
      intercept: () => undefined,
    };
    for (const options of [
      null,
      { store, tenantId: 'a', getSessionKey: 'no' },
      { store, tenantId: 'a', passthrough: 1 },
      { store, tenantId: 'a', unknown: true },
    ]) {
      expect(() => createTurnMiddleware(options as never, adapter)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
    }
  });

  it('describeCall names class instances instead of serialising them', () => {
    class InputFile {
      path = '/secret';
    }
    expect(describeCall('sendPhoto', { chat_id: 1, photo: new InputFile() })).toBe(
      '{"method":"sendPhoto","payload":{"chat_id":1,"photo":"[InputFile]"}}',
    );
    // Wherever the instance hides: in an array, deep down, behind a toJSON.
    expect(describeCall('m', [1, { f: new InputFile() }])).toBe(
      '{"method":"m","payload":[1,{"f":"[InputFile]"}]}',
    );
    let deep: unknown = new InputFile();
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(describeCall('m', deep)).toBe(
      `{"method":"m","payload":${'{"d":'.repeat(40)}"[InputFile]"${'}'.repeat(40)}}`,
    );
    expect(describeCall('m', { a: { toJSON: () => new InputFile() } })).toBe(
      '{"method":"m","payload":{"a":"[InputFile]"}}',
    );
    // Plain JSON, null-prototype objects included, is serialised as it is.
    const bare = Object.assign(Object.create(null) as object, { x: [true, null, 'y'] });
    expect(describeCall('sendMessage', { chat_id: 5, text: 'hi', extra: bare })).toBe(
      '{"method":"sendMessage","payload":{"chat_id":5,"text":"hi","extra":{"x":[true,null,"y"]}}}',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeCall('x', cyclic)).toBe('{"method":"x"}');
  });
});
