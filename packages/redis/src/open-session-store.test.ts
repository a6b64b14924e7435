import { describe, expect, it } from 'vitest';
import { openSessionStore, parseRedisUrl } from './open-session-store.js';

describe('parseRedisUrl', () => {
  it('passes a standalone URL to ioredis without the store parameters', () => {
    expect(
      parseRedisUrl('redis://127.0.0.1:6379/0?namespace=x&commandTimeoutMs=250'),
    ).toStrictEqual({
      mode: 'standalone',
      url: 'redis://127.0.0.1:6379/0',
      namespace: 'x',
      commandTimeoutMs: 250,
    });
    expect(parseRedisUrl('rediss://u:p%40ss@host/2?family=6&namespace=a%3Ab')).toStrictEqual({
      mode: 'standalone',
      url: 'rediss://u:p%40ss@host/2?family=6',
      namespace: 'a:b',
    });
    expect(parseRedisUrl('redis://host')).toStrictEqual({
      mode: 'standalone',
      url: 'redis://host',
    });
  });

  it('parses the cluster form with comma-separated seeds, credentials and TLS', () => {
    expect(
      parseRedisUrl('redis+cluster://host1:7000,host2:7001,[::1]:7002,host3?namespace=x'),
    ).toStrictEqual({
      mode: 'cluster',
      nodes: [
        { host: 'host1', port: 7000 },
        { host: 'host2', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'host3', port: 6379 },
      ],
      redisOptions: {},
      namespace: 'x',
    });
    expect(parseRedisUrl('rediss+cluster://user:p%3Aw@h:1/')).toStrictEqual({
      mode: 'cluster',
      nodes: [{ host: 'h', port: 1 }],
      redisOptions: { username: 'user', password: 'p:w', tls: {} },
    });
    expect(parseRedisUrl('REDIS+CLUSTER://:secret@h:1').redisOptions).toStrictEqual({
      password: 'secret',
    });
  });

  it.each([
    ['memcached://h', 'must look like'],
    ['redis:/h', 'must look like'],
    ['redis://', 'must name a host'],
    ['redis://h?commandTimeoutMs=0', 'commandTimeoutMs'],
    ['redis://h?commandTimeoutMs=abc', 'commandTimeoutMs'],
    ['redis+cluster://h:1/3', 'database 0'],
    ['redis+cluster://h:1?family=6', 'unknown query parameter'],
    ['redis+cluster://h:99999', 'host:port'],
    ['redis+cluster://h:1,', 'host:port'],
    ['redis+cluster://u:%zz@h:1', 'percent-encoding'],
  ])('rejects %s with invalid_input', (url, words) => {
    expect(() => parseRedisUrl(url)).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining(words) }),
    );
  });

  it('rejects a non-string url', () => {
    expect(() => parseRedisUrl(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});

describe('openSessionStore', () => {
  it('lets URL parameters win over options and rejects unknown options', async () => {
    const store = openSessionStore('redis://127.0.0.1:1?namespace=fromurl', {
      namespace: 'fromoptions',
      commandTimeoutMs: 300,
      redisOptions: { lazyConnect: true },
    });
    expect(store.namespace).toBe('fromurl');
    expect(store.commandTimeoutMs).toBe(300);
    await store.close();
    expect(() => openSessionStore('redis://h', { bogus: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining('bogus') }),
    );
    expect(() => openSessionStore('redis://h', null as never)).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});
