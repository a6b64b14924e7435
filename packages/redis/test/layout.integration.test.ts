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

  it('put writes a HASH at <ns>:<tenant>:{<key>} and the owner at <ns>:lookup:{<key>}', async () => {
    const ns = uniqueNamespace();
    const store = open(ns);
    const session = sampleSession({ ttlSecs: 100 });
    const tenant = session.meta.tenantId;
    await store.put(session);
    const data = `${ns}:${tenant}:{${session.key}}`;
    const lookup = `${ns}:lookup:{${session.key}}`;
    expect(await raw.type(data)).toBe('hash');
    expect(await raw.type(lookup)).toBe('string');
    expect(await raw.get(lookup)).toBe(tenant);
    const hash = await raw.hgetall(data);
    expect(Object.keys(hash).sort()).toStrictEqual(['cas', 'id', 'session', 'ttl', 'updatedAt']);
    expect(hash.cas).toBe('1');
    expect(hash.id).toBe(session.id);
    expect(hash.ttl).toBe('100');
    const body = JSON.parse(hash.session as string);
    // updatedAt and ttlSecs live in their own fields, never inside the JSON.
    expect(body).not.toHaveProperty('updatedAt');
    expect(body).not.toHaveProperty('ttlSecs');
    expect(body.meta.labels).toStrictEqual(session.meta.labels);
    const got = await store.get(session.key);
    expect(hash.updatedAt).toBe(got?.session.updatedAt);
    // Nothing else was written in the namespace.
    expect((await raw.keys(`${ns}:*`)).sort()).toStrictEqual([lookup, data].sort());
  });

  it('data and lookup keys carry the same expiry; ttlSecs 0 persists both', async () => {
    const ns = uniqueNamespace();
    const store = open(ns);
    const session = sampleSession({ ttlSecs: 100 });
    const data = `${ns}:${session.meta.tenantId}:{${session.key}}`;
    const lookup = `${ns}:lookup:{${session.key}}`;
    await store.put(session);
    const [dataAt, lookupAt] = await Promise.all([raw.pexpiretime(data), raw.pexpiretime(lookup)]);
    expect(dataAt).toBe(lookupAt);
    const pttl = await raw.pttl(data);
    expect(pttl).toBeGreaterThan(90_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
    expect(await raw.ttl(lookup)).toBeGreaterThan(90);

    await store.touch(session.key, 0);
    expect(await raw.ttl(data)).toBe(-1);
    expect(await raw.ttl(lookup)).toBe(-1);
    expect(await raw.hget(data, 'ttl')).toBe('0');

    await store.touch(session.key, 50);
    const [d2, l2] = await Promise.all([raw.pexpiretime(data), raw.pexpiretime(lookup)]);
    expect(d2).toBe(l2);
    expect(await raw.ttl(data)).toBeLessThanOrEqual(50);

    const current = await store.get(session.key);
    await store.updateCas({ ...session, ttlSecs: 0 }, current?.cas ?? 0);
    expect(await raw.ttl(data)).toBe(-1);
    expect(await raw.ttl(lookup)).toBe(-1);

    await store.put({ ...session, ttlSecs: 7 });
    const [d3, l3] = await Promise.all([raw.pexpiretime(data), raw.pexpiretime(lookup)]);
    expect(d3).toBe(l3);
    expect(await raw.ttl(data)).toBeLessThanOrEqual(7);
  });

  it('touch changes updatedAt and ttl without rewriting the session JSON', async () => {
    const ns = uniqueNamespace();
    const store = open(ns);
    const session = sampleSession({ ttlSecs: 100 });
    const data = `${ns}:${session.meta.tenantId}:{${session.key}}`;
    await store.put(session);
    const before = await raw.hgetall(data);
    await new Promise((r) => setTimeout(r, 5));
    expect(await store.touch(session.key, 200)).toBe(true);
    const after = await raw.hgetall(data);
    expect(after.session).toBe(before.session);
    expect(after.cas).toBe(before.cas);
    expect(after.ttl).toBe('200');
    expect(after.updatedAt).not.toBe(before.updatedAt);
    const got = await store.get(session.key);
    expect(got?.session.updatedAt).toBe(after.updatedAt);
    expect(got?.session.ttlSecs).toBe(200);
  });

  it('delete removes both keys', async () => {
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
    expect(await raw.get(`greentic:session:lookup:{${session.key}}`)).toBe(session.meta.tenantId);
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
      `lookup:victim`,
      '*',
      'vict*',
      'victim:',
      ':victim',
      `${ns}:${victim.meta.tenantId}:victim`,
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
    for (const badTenant of ['lookup', 'a:b', '{x}', 'a b', '']) {
      await expect(store.get('victim', { tenantId: badTenant })).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
    const got = await store.get('victim');
    expect(got?.cas).toBe(1);
    expect(got?.session.meta.tenantId).toBe(victim.meta.tenantId);
    // Each probe key got its own pair of keys; the victim's pair is untouched.
    expect(await raw.hget(`${ns}:${victim.meta.tenantId}:{victim}`, 'cas')).toBe('1');
    expect((await raw.keys(`${ns}:*`)).length).toBe(2 + 2 * probes.length);
  });

  it('a damaged data hash is reported as internal, not returned', async () => {
    const ns = uniqueNamespace();
    const store = open(ns);
    const session = sampleSession();
    await store.put(session);
    const data = `${ns}:${session.meta.tenantId}:{${session.key}}`;
    await raw.hset(data, 'session', '{"not":"a session"}');
    await expect(store.get(session.key)).rejects.toMatchObject({ code: 'internal' });
    await raw.hset(data, 'cas', 'x');
    await expect(store.get(session.key, { tenantId: session.meta.tenantId })).rejects.toMatchObject(
      { code: 'internal' },
    );
    await raw.set(`${ns}:lookup:{${session.key}}`, 'someone-else');
    expect(await store.get(session.key)).toBeNull();
  });
});
