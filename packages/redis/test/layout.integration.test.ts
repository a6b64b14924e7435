import { createSession } from '@greentic/session-core';
import { sampleSession, uniqueKey, uniqueTenant } from '@greentic/session-test-suite';
import type { Session } from '@greentic/session-types';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_URL, uniqueNamespace } from './helpers.js';

describe.skipIf(REDIS_URL === '')('redis key layout and values, seen with raw commands', () => {
  let raw: Redis;
  const stores: RedisSessionStore[] = [];
  const open = (namespace = uniqueNamespace()) => {
    const store = new RedisSessionStore({ url: REDIS_URL, namespace });
    stores.push(store);
    return store;
  };

  beforeAll(() => {
    raw = new Redis(REDIS_URL);
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await raw.quit();
  });

  it('put writes one STRING at <ns>:{<key>}: a g1 header, then the JSON without id, updatedAt, ttlSecs', async () => {
    const ns = uniqueNamespace();
    const store = open(ns);
    const session = sampleSession({ ttlSecs: 100 });
    const tenant = session.meta.tenantId;
    await store.put(session);
    const key = `${ns}:{${session.key}}`;
    expect(await raw.type(key)).toBe('string');
    const value = (await raw.get(key)) as string;
    const got = await store.get(session.key);
    const at = Date.parse(got?.session.updatedAt ?? 'missing');
    const header = `g1:1:100:${at}:${tenant}:${session.id}:`;
    expect(value.startsWith(header)).toBe(true);
    const body = JSON.parse(value.slice(header.length));
    expect(Object.keys(body)).toStrictEqual(['key', 'cursor', 'meta', 'outbox']);
    expect(body.meta).toStrictEqual(session.meta);
    expect(body.outbox).toStrictEqual(session.outbox);
    // Nothing else was written in the namespace.
    expect(await raw.keys(`${ns}:*`)).toStrictEqual([key]);
  });

  it('the expiry is Redis-native from the write; ttlSecs 0 persists', async () => {
    const ns = uniqueNamespace();
    const store = open(ns);
    const session = sampleSession({ ttlSecs: 100 });
    const key = `${ns}:{${session.key}}`;
    await store.put(session);
    const pttl = await raw.pttl(key);
    expect(pttl).toBeGreaterThan(90_000);
    expect(pttl).toBeLessThanOrEqual(100_000);

    await store.touch(session.key, 0);
    expect(await raw.ttl(key)).toBe(-1);
    expect(await raw.get(key)).toMatch(/^g1:1:0:/);

    await store.touch(session.key, 50);
    expect(await raw.ttl(key)).toBeLessThanOrEqual(50);
    expect(await raw.ttl(key)).toBeGreaterThan(40);

    const current = await store.get(session.key);
    await store.updateCas({ ...session, ttlSecs: 0 }, current?.cas ?? 0);
    expect(await raw.ttl(key)).toBe(-1);

    await store.put({ ...session, ttlSecs: 7 });
    expect(await raw.ttl(key)).toBeLessThanOrEqual(7);
    expect(await raw.ttl(key)).toBeGreaterThan(0);
  });

  it('touch changes updatedAt and ttl and keeps cas, owner, id and JSON byte for byte', async () => {
    const ns = uniqueNamespace();
    const store = open(ns);
    const session = sampleSession({ ttlSecs: 100 });
    const key = `${ns}:{${session.key}}`;
    await store.put(session);
    const before = (await raw.get(key)) as string;
    await new Promise((r) => setTimeout(r, 5));
    expect(await store.touch(session.key, 200)).toBe(true);
    const after = (await raw.get(key)) as string;
    const tail = (v: string) => v.slice(v.indexOf(`:${session.meta.tenantId}:`));
    expect(tail(after)).toBe(tail(before));
    expect(after.startsWith('g1:1:200:')).toBe(true);
    const got = await store.get(session.key);
    expect(after.split(':')[3]).toBe(String(Date.parse(got?.session.updatedAt ?? '')));
    expect(after).not.toBe(before);
    expect(got?.session.ttlSecs).toBe(200);
    expect(got?.cas).toBe(1);
  });

  it('delete removes the key', async () => {
    const ns = uniqueNamespace();
    const store = open(ns);
    const session = sampleSession();
    await store.put(session);
    expect(await store.delete(session.key)).toBe(true);
    expect(await raw.keys(`${ns}:*`)).toStrictEqual([]);
  });

  it('the default namespace is greentic:session', async () => {
    const store = new RedisSessionStore({ url: REDIS_URL });
    stores.push(store);
    expect(store.namespace).toBe('greentic:session');
    const session = sampleSession();
    await store.put(session);
    expect(await raw.get(`greentic:session:{${session.key}}`)).toMatch(/^g1:1:/);
    await store.delete(session.key);
  });

  it('a stored session comes back deep-equal: empty arrays and objects, nested labels, 2^53-1', async () => {
    const store = open();
    const base = createSession({
      key: uniqueKey(),
      tenantId: uniqueTenant(),
      flowId: 'f',
      nodeId: 'n',
      ttlSecs: 0,
      labels: {
        emptyList: [],
        emptyObject: {},
        nested: { a: [[], [{}], { b: [1, 2, { c: null }] }], unicode: 'héllo ✓ 😀' },
        max: Number.MAX_SAFE_INTEGER,
        negative: -Number.MAX_SAFE_INTEGER,
        long: 12345678901234568, // past 14 digits: cjson would round it
        big: 1e300,
        float: 0.1 + 0.2,
        tiny: 5e-324,
        quote: '"\\\n\t',
        // An own "__proto__" key, as JSON.parse makes it: must survive as data.
        ...JSON.parse('{"__proto__":{"polluted":true}}'),
      },
    });
    const session: Session = {
      ...structuredClone(base),
      outbox: [],
      cursor: { ...base.cursor, outboxSeq: Number.MAX_SAFE_INTEGER },
    } as Session;
    await store.put(session);
    const got = await store.get(session.key);
    const { updatedAt: _u, ...expected } = session;
    const { updatedAt: _g, ...actual } = got?.session ?? session;
    expect(actual).toStrictEqual(expected);
    expect(got?.session.meta.labels.emptyList).toStrictEqual([]);
    expect(Object.isFrozen(got?.session.meta.labels.nested)).toBe(true);
    expect(Object.hasOwn(got?.session.meta.labels ?? {}, '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('keys that look like separators, patterns or braces of other tenants address nothing else', async () => {
    const ns = uniqueNamespace();
    const store = open(ns);
    const victim = sampleSession({ key: 'victim' });
    await store.put(victim);
    const tenant = uniqueTenant();
    const probes = [
      `${victim.meta.tenantId}:victim`,
      'lookup:victim',
      '*',
      'vict*',
      'victim:',
      ':victim',
      `${ns}:victim`,
      `${ns}:{victim`.slice(0, -7),
      'x'.repeat(512),
    ];
    for (const key of probes) {
      expect(await store.get(key)).toBeNull();
      expect(await store.get(key, { tenantId: tenant })).toBeNull();
      expect(await store.delete(key, { tenantId: tenant })).toBe(false);
      expect(await store.touch(key, 1, { tenantId: tenant })).toBe(false);
      await store.put(sampleSession({ key, tenantId: tenant }));
    }
    for (const bad of ['{victim}', 'vic}tim', 'a{b', 'has space', 'new\nline', 'ünï', '']) {
      await expect(store.get(bad)).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(store.put({ ...victim, key: bad })).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
    for (const badTenant of ['a:b', '{x}', 'a b', '']) {
      await expect(store.get('victim', { tenantId: badTenant })).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
    const got = await store.get('victim');
    expect(got?.cas).toBe(1);
    expect(got?.session.meta.tenantId).toBe(victim.meta.tenantId);
    // Each probe key got its own key; the victim's is untouched.
    expect(await raw.get(`${ns}:{victim}`)).toMatch(/^g1:1:/);
    expect((await raw.keys(`${ns}:*`)).length).toBe(1 + probes.length);
  });
});
