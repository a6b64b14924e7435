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

  it('the raw value, read by its documented g1 layout as an envelope, is a StoredSessionEnvelope', async () => {
    const session = sampleSession({ ttlSecs: 60 });
    await store.put(session);
    const value = (await raw.get(`${namespace}:{${session.key}}`)) as string;
    // Read by hand from the README's layout, not with the store's decoder.
    const m = /^g1:(\d+):(\d+):(\d+):([^:]+):([^:]+):/.exec(value);
    expect(m).not.toBeNull();
    const [header, cas, ttl, at, tenant, id] = m as unknown as string[];
    const updatedAt = new Date(Number(at)).toISOString();
    const envelope = {
      session: {
        id,
        ...JSON.parse(value.slice((header as string).length)),
        updatedAt,
        ttlSecs: Number(ttl),
      },
      cas: Number(cas),
      tenantId: tenant,
      updatedAt,
      ttlSecs: Number(ttl),
    };
    const result = storedEnvelopeValidator.validate(envelope);
    expect(result.ok ? '' : result.message).toBe('');
    expect(envelope.session.meta.tenantId).toBe(session.meta.tenantId);
  });
});
