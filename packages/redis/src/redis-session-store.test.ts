import { sampleSession } from '@greentic/session-test-suite';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisSessionStore, RedisSessionStore } from './redis-session-store.js';

// Port 1 on loopback refuses connections: no server is needed for these tests.
const DEAD_URL = 'redis://127.0.0.1:1';

function invalid(words: string) {
  return expect.objectContaining({
    code: 'invalid_input',
    message: expect.stringContaining(words),
  });
}

describe('RedisSessionStore options', () => {
  it.each([
    [null, 'options must be an object'],
    [new Date(), 'options must be a plain object'],
    [{ url: DEAD_URL, bogus: 1 }, 'options.bogus is not a known option'],
    [{}, 'exactly one of'],
    [{ url: DEAD_URL, clusterNodes: [{ host: 'h', port: 1 }] }, 'exactly one of'],
    [{ url: 'http://h' }, 'url must look like redis://'],
    [{ clusterNodes: [] }, 'non-empty array'],
    [{ client: {} }, 'ioredis Redis or Cluster'],
    [{ url: DEAD_URL, namespace: 'a{b}' }, 'namespace'],
    [{ url: DEAD_URL, commandTimeoutMs: 0 }, 'commandTimeoutMs'],
    [{ url: DEAD_URL, commandTimeoutMs: 1.5 }, 'commandTimeoutMs'],
    [
      { clusterNodes: [{ host: 'h', port: 1 }], clusterOptions: { retryDelayOnFailover: 100 } },
      'retryDelayOnFailover must be 0',
    ],
    [
      { url: 'redis+cluster://127.0.0.1:1', clusterOptions: { retryDelayOnFailover: 1 } },
      'retryDelayOnFailover must be 0',
    ],
  ])('rejects %j with invalid_input', (options, words) => {
    expect(() => new RedisSessionStore(options as never)).toThrow(invalid(words));
  });

  it('a clusterOptions getter that throws is invalid_input, naming the option', () => {
    const clusterOptions = {
      get retryDelayOnFailover(): number {
        throw new Error('hostile getter');
      },
    };
    expect(
      () => new RedisSessionStore({ clusterNodes: [{ host: 'h', port: 1 }], clusterOptions }),
    ).toThrow(invalid('options.clusterOptions'));
  });

  it('createRedisSessionStore is the constructor; defaults are the documented ones', async () => {
    const store = createRedisSessionStore({ url: DEAD_URL });
    expect(store).toBeInstanceOf(RedisSessionStore);
    expect(store.namespace).toBe('greentic:session');
    expect(store.commandTimeoutMs).toBe(1000);
    await store.close();
  });
});

describe('RedisSessionStore without a server', () => {
  it('fails with unavailable within the command timeout when nothing listens', async () => {
    const store = new RedisSessionStore({ url: DEAD_URL, commandTimeoutMs: 200 });
    const started = performance.now();
    await expect(store.get('k')).rejects.toMatchObject({ code: 'unavailable' });
    expect(performance.now() - started).toBeLessThan(1000);
    await store.close();
  });

  it('close() fails operations still waiting for a connection with unavailable', async () => {
    const store = new RedisSessionStore({ url: DEAD_URL, commandTimeoutMs: 5000 });
    const pending = store.put(sampleSession());
    await store.close();
    await expect(pending).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('closed'),
    });
  });

  it('a caller client that was closed gives unavailable at once and stays the caller’s', async () => {
    const client = new Redis(DEAD_URL, { lazyConnect: true });
    client.disconnect();
    expect(client.status).toBe('end');
    const store = new RedisSessionStore({ client });
    await expect(store.delete('k')).rejects.toMatchObject({ code: 'unavailable' });
    await store.close();
  });

  it('validates arguments before anything is sent', async () => {
    const store = new RedisSessionStore({ url: DEAD_URL, commandTimeoutMs: 200 });
    await expect(store.get('')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.touch('k', -1)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.delete('k', { tenantId: 'lookup' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(store.updateCas(sampleSession(), -1)).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(store.put({} as never)).rejects.toMatchObject({ code: 'invalid_input' });
    await store.close();
  });
});
