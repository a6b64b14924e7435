import { storedEnvelopeValidator, storedSessionValidator } from '@greentic/session-schema/validate';
import { sampleSession } from '@greentic/session-test-suite';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_URL, uniqueNamespace } from './helpers.js';

describe.skipIf(REDIS_URL === '')('what Redis holds matches @greentic/session-schema', () => {
  let raw: Redis;
  let store: RedisSessionStore;
  const namespace = uniqueNamespace();
  beforeAll(() => {
    raw = new Redis(REDIS_URL);
    store = new RedisSessionStore({ url: REDIS_URL, namespace });
  });
  afterAll(async () => {
    await store.close();
    await raw.quit();
  });

  it('get returns a StoredSession, fenced and unfenced, after put, updateCas and touch', async () => {
    const session = sampleSession({ ttlSecs: 120 });
    const cas = await store.put(session);
    await store.updateCas(session, cas);
    await store.touch(session.key, 0);
    for (const got of [
      await store.get(session.key),
      await store.get(session.key, { tenantId: session.meta.tenantId }),
    ]) {
      const result = storedSessionValidator.validate(got);
      expect(result.ok ? '' : result.message).toBe('');
    }
  });

  it('the raw data hash, read as an envelope, is a StoredSessionEnvelope', async () => {
    const session = sampleSession({ ttlSecs: 60 });
    await store.put(session);
    const hash = await raw.hgetall(`${namespace}:${session.meta.tenantId}:{${session.key}}`);
    const envelope = {
      session: {
        ...JSON.parse(hash.session as string),
        updatedAt: hash.updatedAt,
        ttlSecs: Number(hash.ttl),
      },
      cas: Number(hash.cas),
      tenantId: await raw.get(`${namespace}:lookup:{${session.key}}`),
      updatedAt: hash.updatedAt,
      ttlSecs: Number(hash.ttl),
    };
    const result = storedEnvelopeValidator.validate(envelope);
    expect(result.ok ? '' : result.message).toBe('');
  });
});
