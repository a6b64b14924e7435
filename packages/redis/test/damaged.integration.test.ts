import { sampleSession, uniqueTenant } from '@greentic/session-test-suite';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_URL, uniqueNamespace } from './helpers.js';

const ID = '0b7f5a52-8a1e-4c55-9b7a-6d8f2a1c3e4f';
const BODY = (key: string, tenant: string) =>
  JSON.stringify({
    key,
    cursor: { flowId: 'f', nodeId: 'n', waitReason: null, outboxSeq: 0 },
    meta: { tenantId: tenant, teamId: null, userId: null, labels: {} },
    outbox: [],
  });

/** Values whose g1 header is broken: no script and no read may take them for a session. */
function badHeaders(key: string, tenant: string): [string, string][] {
  const body = BODY(key, tenant);
  return [
    ['garbage', 'hello world'],
    ['empty string', ''],
    ['a JSON session without header', body],
    ['another format version', `g2:1:0:1:${tenant}:${ID}:${body}`],
    ['cas with a space', `g1: 7:0:1:${tenant}:${ID}:${body}`],
    ['cas in hex', `g1:0x10:0:1:${tenant}:${ID}:${body}`],
    ['cas with a leading zero', `g1:07:0:1:${tenant}:${ID}:${body}`],
    ['cas 0', `g1:0:0:1:${tenant}:${ID}:${body}`],
    ['cas past 2^53', `g1:9007199254740993:0:1:${tenant}:${ID}:${body}`],
    ['negative ttl', `g1:1:-1:1:${tenant}:${ID}:${body}`],
    ['ttl past 2^31-1', `g1:1:2147483648:1:${tenant}:${ID}:${body}`],
    ['updatedAt past year 275760', `g1:1:0:8640000000000001:${tenant}:${ID}:${body}`],
    ['tenant with a brace', `g1:1:0:1:{${tenant}}:${ID}:${body}`],
    ['tenant too long', `g1:1:0:1:${'t'.repeat(129)}:${ID}:${body}`],
    ['uppercase id', `g1:1:0:1:${tenant}:${ID.toUpperCase()}:${body}`],
    ['short id', `g1:1:0:1:${tenant}:${ID.slice(1)}:${body}`],
    ['body not an object', `g1:1:0:1:${tenant}:${ID}:[${body}]`],
    ['missing body', `g1:1:0:1:${tenant}:${ID}:`],
  ];
}

/** Values with a good header and a broken body: reads refuse them. */
function badBodies(key: string, tenant: string): [string, string][] {
  const head = `g1:1:0:1:${tenant}:${ID}:`;
  const good = JSON.parse(BODY(key, tenant));
  return [
    ['truncated JSON', `${head}${BODY(key, tenant).slice(0, 40)}`],
    ['another key in the JSON', `${head}${JSON.stringify({ ...good, key: `${key}x` })}`],
    [
      'another owner in the JSON',
      `${head}${JSON.stringify({ ...good, meta: { ...good.meta, tenantId: 'other' } })}`,
    ],
    ['no outbox', `${head}${JSON.stringify({ ...good, outbox: undefined })}`],
    ['an extra field', `${head}${JSON.stringify({ ...good, extra: 1 })}`],
    ['a cursor that is not an object', `${head}${JSON.stringify({ ...good, cursor: 'x' })}`],
  ];
}

describe.skipIf(REDIS_URL === '')('damaged or foreign values under a session key', () => {
  let raw: Redis;
  let store: RedisSessionStore;
  const ns = uniqueNamespace();
  beforeAll(() => {
    raw = new Redis(REDIS_URL);
    store = new RedisSessionStore({ url: REDIS_URL, namespace: ns });
  });
  afterAll(async () => {
    await store.close();
    await raw.quit();
  });

  const tenant = uniqueTenant();

  it.each(badHeaders('k', tenant))(
    '%s: every operation refuses with internal naming the key, and nothing is written',
    async (_name, value) => {
      const session = sampleSession({ tenantId: tenant, ttlSecs: 100 });
      const redisKey = `${ns}:{${session.key}}`;
      await raw.set(redisKey, value, 'EX', 1000);
      const refused = {
        code: 'internal',
        message: expect.stringContaining(JSON.stringify(session.key)),
      };
      await expect(store.get(session.key)).rejects.toMatchObject(refused);
      await expect(store.get(session.key, { tenantId: tenant })).rejects.toMatchObject(refused);
      await expect(store.put(session)).rejects.toMatchObject(refused);
      await expect(store.updateCas(session, 1)).rejects.toMatchObject(refused);
      await expect(store.touch(session.key, 5)).rejects.toMatchObject(refused);
      await expect(store.delete(session.key)).rejects.toMatchObject(refused);
      await expect(
        store
          .forTenant(uniqueTenant())
          .put({ ...session, meta: { ...session.meta, tenantId: 'x' } }),
      ).rejects.toMatchObject({ code: 'tenant_mismatch' });
      expect(await raw.get(redisKey)).toBe(value);
      expect(await raw.ttl(redisKey)).toBeGreaterThan(900);
    },
  );

  it.each([
    ['a hash', (k: string) => raw.hset(k, 'session', '{}')],
    ['a list', (k: string) => raw.rpush(k, 'x')],
    ['a set', (k: string) => raw.sadd(k, 'x')],
    ['a sorted set', (k: string) => raw.zadd(k, 1, 'x')],
  ])(
    'a key holding %s: every operation refuses with internal, and nothing is written',
    async (_name, write) => {
      const session = sampleSession({ tenantId: tenant });
      const redisKey = `${ns}:{${session.key}}`;
      await write(redisKey);
      const type = await raw.type(redisKey);
      for (const op of [
        store.get(session.key),
        store.get(session.key, { tenantId: tenant }),
        store.put(session),
        store.updateCas(session, 1),
        store.touch(session.key),
        store.delete(session.key),
      ]) {
        await expect(op).rejects.toMatchObject({ code: 'internal' });
      }
      expect(await raw.type(redisKey)).toBe(type);
    },
  );

  it.each(badBodies('k', tenant))(
    '%s: get refuses with internal; a put replaces the value whole',
    async (_name, template) => {
      const session = sampleSession({ tenantId: tenant, ttlSecs: 100 });
      const redisKey = `${ns}:{${session.key}}`;
      const value = template
        .replaceAll('"k"', JSON.stringify(session.key))
        .replaceAll('"kx"', JSON.stringify(`${session.key}x`));
      await raw.set(redisKey, value);
      await expect(store.get(session.key)).rejects.toMatchObject({ code: 'internal' });
      await expect(store.get(session.key, { tenantId: tenant })).rejects.toMatchObject({
        code: 'internal',
      });
      // Fenced to another tenant, the owner in the header decides: nothing to see.
      expect(await store.get(session.key, { tenantId: uniqueTenant() })).toBeNull();
      // Scripts read the header only; a put over it writes a whole new value (a repair).
      expect(await store.put(session)).toBe(2);
      const got = await store.get(session.key);
      expect(got?.session.id).toBe(session.id);
      expect(got?.session.meta).toStrictEqual(session.meta);
    },
  );
});
